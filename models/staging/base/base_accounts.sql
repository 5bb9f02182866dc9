{%- set landed_accounts = require_landed(source('raw', 'accounts')) %}

with

landed as (
    select * from {{ landed_accounts }}
),

typed as (
    select
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('account_name') }} as account_name,
        {{ parse_utc_timestamp('signed_up_at') }} as signed_up_at,
        lower({{ clean_text('segment') }}) as segment,
        {{ clean_text('plan') }} as plan,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('company_size') }} as company_size,
        {{ clean_text('acquisition_channel') }} as acquisition_channel,
        {{ clean_text('onboarding_variant') }} as onboarding_variant,
        {{ landing_lineage_columns([
            'account_id', 'account_name', 'signed_up_at', 'segment', 'plan', 'industry',
            'company_size', 'acquisition_channel', 'onboarding_variant',
        ]) }}
    from landed
),

{#- When an account appears more than once, the most recently landed usable
    row wins (a later CRM export corrects an earlier one). #}

ranked as (
    select
        typed.*,
        row_number() over (
            partition by typed.account_id
            order by
                (
                    typed.parse_error is null
                    and typed.signed_up_at is not null
                    and not {{ is_before_earliest_date('typed.signed_up_at') }}
                    and not {{ is_after_load_time('typed.signed_up_at', 'typed.loaded_at') }}
                ) desc,
                typed.landing_date desc nulls last,
                typed.source_file desc,
                typed.source_row desc
        ) as copy_number
    from typed
),

checked as (
    select
        ranked.*,
        {{ first_failing_check([
            malformed_line_check(),
            ["account_id is null", "missing_account_id"],
            ["signed_up_at is null", "invalid_signed_up_at"],
            [is_before_earliest_date('signed_up_at'), "before_earliest_date"],
            [is_after_load_time('signed_up_at'), "after_load_time"],
            ["copy_number > 1", "duplicate_account_id"],
        ]) }} as quarantine_reason
    from ranked
),

final as (
    select
        account_id,
        account_name,
        signed_up_at,
        segment,
        plan,
        industry,
        company_size,
        acquisition_channel,
        onboarding_variant,
        landing_date,
        source_file,
        source_row,
        loaded_at,
        quarantine_reason,
        case quarantine_reason
            when 'malformed_line' then parse_error
            when 'duplicate_account_id' then 'a more recently landed row of this account is kept'
            when 'before_earliest_date' then 'signed_up_at is before earliest_plausible_date {{ earliest_plausible_date() }}'
            when 'after_load_time' then 'signed_up_at is later than the load time plus max_clock_skew_hours'
        end as quarantine_detail,
        case when quarantine_reason is not null then raw_record end as raw_record
    from checked
)

select * from final
