{%- set landed_surveys = require_landed(source('raw', 'surveys')) %}

with

landed as (
    select * from {{ landed_surveys }}
),

known_accounts as (
    select account_id from {{ ref('base_accounts') }}
    where quarantine_reason is null
),

typed as (
    select
        {{ clean_text('response_id') }} as response_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('user_id') }} as user_id,
        lower({{ clean_text('survey_type') }}) as survey_type,
        {{ safe_cast(clean_text('score'), 'integer') }} as score,
        {{ clean_text('score') }} as score_text,
        {{ clean_text('comment') }} as comment,
        {{ parse_utc_timestamp('submitted_at') }} as submitted_at,
        {{ landing_lineage_columns([
            'response_id', 'account_id', 'user_id', 'survey_type', 'score', 'comment', 'submitted_at',
        ]) }}
    from landed
),

{#- A response landed twice keeps its first copy. #}

ranked as (
    select
        typed.*,
        row_number() over (
            partition by typed.response_id
            order by typed.landing_date nulls last, typed.source_file, typed.source_row
        ) as copy_number
    from typed
),

checked as (
    select
        ranked.*,
        {{ first_failing_check([
            malformed_line_check(),
            ["ranked.response_id is null", "missing_response_id"],
            ["ranked.account_id is null", "missing_account_id"],
            ["ranked.survey_type not in ('onboarding_satisfaction', 'csat', 'nps')
              or ranked.survey_type is null", "unknown_survey_type"],
            ["not " ~ is_plain_number('ranked.score_text'), "invalid_score"],
            [has_digits_beyond('ranked.score_text', 0), "fractional_score"],
            ["ranked.score is null
              or ranked.score < case ranked.survey_type when 'nps' then 0 else 1 end
              or ranked.score > case ranked.survey_type when 'nps' then 10 else 5 end",
             "invalid_score"],
            ["ranked.submitted_at is null", "invalid_submitted_at"],
            [is_before_earliest_date('ranked.submitted_at'), "before_earliest_date"],
            [is_after_load_time('ranked.submitted_at', 'ranked.loaded_at'), "after_load_time"],
            ["known_accounts.account_id is null", "unknown_account"],
            ["ranked.copy_number > 1", "duplicate_response_id"],
        ]) }} as quarantine_reason
    from ranked
    left join known_accounts
        on ranked.account_id = known_accounts.account_id
),

final as (
    select
        response_id,
        account_id,
        user_id,
        survey_type,
        score,
        comment,
        submitted_at,
        landing_date,
        source_file,
        source_row,
        loaded_at,
        quarantine_reason,
        case quarantine_reason
            when 'malformed_line' then parse_error
            when 'fractional_score' then 'score is not a whole number of its scale: not rounded'
            when 'before_earliest_date'
                then 'submitted_at is before earliest_plausible_date {{ earliest_plausible_date() }}'
            when 'after_load_time' then 'submitted_at is later than the load time plus max_clock_skew_hours'
        end as quarantine_detail,
        case when quarantine_reason is not null then raw_record end as raw_record
    from checked
)

select * from final
