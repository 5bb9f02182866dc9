{%- set landed_subscriptions = require_landed(source('raw', 'subscriptions')) %}

with

landed as (
    select * from {{ landed_subscriptions }}
),

known_accounts as (
    select account_id from {{ ref('base_accounts') }}
    where quarantine_reason is null
),

typed as (
    select
        {{ clean_text('account_id') }} as account_id,
        {{ parse_utc_timestamp('period_start') }} as period_start,
        {{ parse_utc_timestamp('period_end') }} as period_end,
        {{ clean_text('period_end') }} is not null as has_period_end,
        {{ safe_cast(clean_text('mrr'), 'decimal(18, 2)') }} as mrr,
        {{ safe_cast(clean_text('seats'), 'integer') }} as seats,
        {{ clean_text('seats') }} is not null as has_seats,
        {{ clean_text('plan') }} as plan,
        {{ landing_lineage_columns(['account_id', 'period_start', 'period_end', 'mrr', 'seats', 'plan']) }}
    from landed
),

checked as (
    select
        typed.*,
        {{ first_failing_check([
            malformed_line_check(),
            ["typed.account_id is null", "missing_account_id"],
            ["typed.period_start is null", "invalid_period_start"],
            ["typed.has_period_end and typed.period_end is null", "invalid_period_end"],
            ["typed.period_end < typed.period_start", "period_end_before_start"],
            ["typed.mrr is null or typed.mrr < 0", "invalid_mrr"],
            ["typed.has_seats and (typed.seats is null or typed.seats < 0)", "invalid_seats"],
            ["known_accounts.account_id is null", "unknown_account"],
        ]) }} as quarantine_reason
    from typed
    left join known_accounts
        on typed.account_id = known_accounts.account_id
),

final as (
    select
        account_id,
        period_start,
        period_end,
        mrr,
        seats,
        plan,
        landing_date,
        source_file,
        source_row,
        loaded_at,
        quarantine_reason,
        case quarantine_reason when 'malformed_line' then parse_error end as quarantine_detail,
        case when quarantine_reason is not null then raw_record end as raw_record
    from checked
)

select * from final
