{#- An account's MRR for each calendar month from its sign-up month to the
    as-of month: the MRR of the subscription periods active at the month's
    end, i.e. at the first instant of the next month (a period covers
    period_start <= t < period_end), or at the as-of time for the month in
    progress. A month is complete once the as-of time reaches its last
    millisecond (is_period_complete). Months with no active period have MRR 0. -#}
{%- set months = var('revenue_months_tracked') | int %}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

subscriptions as (
    select * from {{ ref('stg_subscriptions') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

month_numbers as (
    {{ integer_rows(range(0, months), 'month_number') }}
),

account_months as (
    select
        accounts.account_id,
        month_numbers.month_number,
        cast({{ dbt.dateadd('month', 'month_numbers.month_number', 'accounts.signup_month') }} as date)
            as revenue_month,
        {{ dbt.dateadd('month', 'month_numbers.month_number + 1', 'accounts.signup_month') }}
            as next_month_starts_at,
        as_of.as_of_at
    from accounts
    cross join month_numbers
    cross join as_of
),

measured as (
    select
        account_id,
        month_number,
        revenue_month,
        {{ is_period_complete('next_month_starts_at', 'as_of_at') }} as is_month_complete,
        case
            when {{ is_period_complete('next_month_starts_at', 'as_of_at') }} then next_month_starts_at
            else as_of_at
        end as measured_at
    from account_months
    where revenue_month <= as_of_at
),

final as (
    select
        measured.account_id,
        measured.month_number,
        measured.revenue_month,
        measured.is_month_complete,
        measured.measured_at,
        coalesce(sum(subscriptions.mrr), 0) as mrr
    from measured
    left join subscriptions
        on
            measured.account_id = subscriptions.account_id
            and measured.measured_at >= subscriptions.period_start
            and (subscriptions.period_end is null or measured.measured_at < subscriptions.period_end)
    group by
        measured.account_id,
        measured.month_number,
        measured.revenue_month,
        measured.is_month_complete,
        measured.measured_at
)

select * from final
