{#- Rule no_login, on each judged day: threshold whole days without a
    login-like event (taxonomy category login), counted back from the day
    (inclusive) to the day after the last one. An account that never had one
    by the day's end is not expected to log in (no activity expectation yet):
    the rule does not fire for it. -#}

with

days as (
    select * from {{ ref('int_account_onboarding_days') }}
),

rule as (
    select threshold from {{ ref('at_risk_rules') }}
    where rule_name = 'no_login'
),

login_days as (
    select distinct
        account_id,
        day_number
    from {{ ref('int_account_events') }}
    where event_category = 'login'
),

last_logins as (
    select
        days.account_id,
        days.day_number,
        days.day_ends_at,
        max(login_days.day_number) as last_login_day
    from days
    left join login_days
        on
            days.account_id = login_days.account_id
            and days.day_number >= login_days.day_number
    group by days.account_id, days.day_number, days.day_ends_at
),

final as (
    select
        last_logins.account_id,
        last_logins.day_number,
        last_logins.day_ends_at,
        'no_login' as rule_name,
        cast(null as {{ dbt.type_string() }}) as rule_subject,
        cast(last_logins.day_number - last_logins.last_login_day as integer) as occurrences
    from last_logins
    cross join rule
    where
        last_logins.last_login_day is not null
        and last_logins.day_number - last_logins.last_login_day >= rule.threshold
)

select * from final
