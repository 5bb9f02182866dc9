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
        {{ clean_text('mrr') }} as mrr_text,
        {{ safe_cast(clean_text('seats'), 'integer') }} as seats,
        {{ clean_text('seats') }} as seats_text,
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
            [is_before_earliest_date('typed.period_start'), "before_earliest_date"],
            ["typed.has_period_end and typed.period_end is null", "invalid_period_end"],
            ["typed.period_end < typed.period_start", "period_end_before_start"],
            ["typed.mrr_text is not null and not " ~ is_plain_number('typed.mrr_text'), "invalid_mrr"],
            ["typed.mrr is null or typed.mrr < 0", "invalid_mrr"],
            [has_digits_beyond('typed.mrr_text', 2), "mrr_beyond_cents"],
            ["typed.has_seats and not " ~ is_plain_number('typed.seats_text'), "invalid_seats"],
            ["typed.has_seats and (typed.seats is null or typed.seats < 0)", "invalid_seats"],
            ["typed.has_seats and " ~ has_digits_beyond('typed.seats_text', 0), "fractional_seats"],
            ["known_accounts.account_id is null", "unknown_account"],
        ]) }} as quarantine_reason
    from typed
    left join known_accounts
        on typed.account_id = known_accounts.account_id
),

{#- Periods of one account must not overlap: MRR would be counted twice. Periods
    are taken in order of start (at the same start, the most recently landed
    first); an ongoing period (no end) runs forever. A usable period is "clean"
    when it overlaps none that starts before it. A usable period that overlaps a
    clean one starting before it is quarantined (overlapping_period): one stray
    period is quarantined without taking the periods after it along. #}

ordered_periods as (
    select
        checked.*,
        coalesce(checked.period_end, {{ open_end() }}) as effective_end,
        row_number() over (
            partition by checked.account_id
            order by
                checked.period_start asc,
                checked.landing_date desc nulls last,
                checked.source_file desc,
                checked.source_row desc
        ) as period_order
    from checked
),

with_earlier_periods as (
    select
        ordered_periods.*,
        max(case when ordered_periods.quarantine_reason is null then ordered_periods.effective_end end)
            over (
                partition by ordered_periods.account_id
                order by ordered_periods.period_order asc
                rows between unbounded preceding and 1 preceding
            ) as earlier_periods_end
    from ordered_periods
),

with_earlier_clean_periods as (
    select
        with_earlier_periods.*,
        max(
            case
                when
                    with_earlier_periods.quarantine_reason is null
                    and coalesce(with_earlier_periods.earlier_periods_end <= with_earlier_periods.period_start, true)
                    then with_earlier_periods.effective_end
            end
        ) over (
            partition by with_earlier_periods.account_id
            order by with_earlier_periods.period_order asc
            rows between unbounded preceding and 1 preceding
        ) as earlier_clean_end
    from with_earlier_periods
),

overlap_checked as (
    select
        with_earlier_clean_periods.*,
        coalesce(
            with_earlier_clean_periods.quarantine_reason,
            case
                when with_earlier_clean_periods.earlier_clean_end > with_earlier_clean_periods.period_start
                    then 'overlapping_period'
            end
        ) as reason
    from with_earlier_clean_periods
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
        reason as quarantine_reason,
        case reason
            when 'malformed_line' then parse_error
            when 'before_earliest_date'
                then 'period_start is before earliest_plausible_date {{ earliest_plausible_date() }}'
            when 'mrr_beyond_cents' then 'mrr has more than 2 decimal places (decimal(18, 2)): not rounded'
            when 'fractional_seats' then 'seats is not a whole number: not rounded'
            when 'overlapping_period'
                then case
                        when earlier_clean_end = {{ open_end() }}
                            then 'overlaps an ongoing period of this account that starts earlier'
                        else 'overlaps a period of this account that starts earlier and ends '
                            || cast(earlier_clean_end as {{ dbt.type_string() }})
                    end
        end as quarantine_detail,
        case when reason is not null then raw_record end as raw_record
    from overlap_checked
)

select * from final
