{#- Account-level incremental models: the int_ models that read every event of
    an account (milestones, funnels, weekly usage) recompute only the accounts
    whose inputs changed since the model last ran, and replace all the rows of
    those accounts (strategy `replace_accounts`).

    Each row stores `_account_signature`, a digest of everything the rows of
    its account were computed from: the account's row of int_accounts (sign-up,
    segment, every attribute) and the events of the account the model reads
    (int_account_event_signatures: one hash per staged event row, summed per
    account and event name). A run recomputes the accounts whose signature now
    differs from the stored one: an event added, changed or removed (a late
    event, a re-delivered or backfilled date, a date re-delivered with rows
    removed, a deleted file, an event newly quarantined or released), a changed
    account, a new or removed account. Everything else the rows depend on (the
    seeds, vars and SQL) is in the model's fingerprint: when it changes, the
    model is rebuilt whole (macros/incremental/fingerprint.sql). So a run
    gives the rows a full rebuild gives, whatever happened before it.

    A model using it
    - configures `recompute_events_from`: the relation (seed or model name)
      whose `event_name` column lists the events it reads, or none for every
      event; and `rows_for_every_account`: true when every account has rows
      even without any such event (milestones), false when only accounts with
      events do;
    - filters its inputs with `where {{ is_account_to_recompute('...account_id') }}`;
    - has the CTE `account_signatures as ({{ account_signatures() }})` and,
      in its final select, `account_signatures.account_signature as
      _account_signature` (joined on account_id) and
      `{{ inputs_fingerprint_column() }}`. -#}

{#- The materialization of an account-level model: incremental where the
    engine can delete rows (DuckDB); a table rebuilt whole elsewhere. -#}
{% macro account_level_materialization() -%}
    {{ return(adapter.dispatch('account_level_materialization', 'onboarding')()) }}
{%- endmacro %}

{% macro default__account_level_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{#- Spark's Parquet tables cannot delete the rows of some accounts, and there is
    no partition column to overwrite by account: the model is a table there. -#}
{% macro spark__account_level_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- The signature of each account's inputs, for the model being built (a
    query of account_id, account_signature). -#}
{% macro account_signatures() -%}
    {%- set events_from = config.get('recompute_events_from') -%}
    {%- set accounts = ref('int_accounts') -%}
    {%- set account_columns = ['account_id'] -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set account_columns = [] -%}
        {%- for column in adapter.get_columns_in_relation(accounts) -%}
            {%- do account_columns.append(adapter.quote(column.name)) -%}
        {%- endfor -%}
    {%- endif -%}
    select
        accounts.account_id,
        {{ row_hash(['accounts.account_hash', 'account_events.events_hash', 'account_events.event_count']) }}
            as account_signature
    from (
        select
            account_id,
            {{ row_hash(account_columns) }} as account_hash
        from {{ accounts }}
    ) as accounts
    {{ 'left' if config.get('rows_for_every_account') else 'inner' }} join (
        select
            signatures.account_id,
            sum(signatures.event_count) as event_count,
            sum(signatures.events_hash) as events_hash
        from {{ ref('int_account_event_signatures') }} as signatures
        {%- if events_from %}
        where signatures.event_name in (select listed.event_name from {{ ref(events_from) }} as listed)
        {%- endif %}
        group by signatures.account_id
    ) as account_events
        on accounts.account_id = account_events.account_id
{%- endmacro %}

{#- The accounts an incremental run recomputes (a query of account_id): those
    whose signature differs from the one their stored rows hold, including
    accounts with no stored rows yet and accounts that no longer have inputs. -#}
{% macro accounts_to_recompute() -%}
    select coalesce(current_signatures.account_id, stored.account_id) as account_id
    from ({{ account_signatures() }}) as current_signatures
    full outer join (
        select distinct
            computed.account_id,
            computed._account_signature
        from {{ this }} as computed
    ) as stored
        on current_signatures.account_id = stored.account_id
    where current_signatures.account_signature is distinct from stored._account_signature
{%- endmacro %}

{#- A condition keeping the rows of the accounts to recompute (all of them
    on a first run or a whole rebuild). -#}
{% macro is_account_to_recompute(account_id_expression) -%}
    {%- if is_incremental() -%}
        {{ account_id_expression }} in ({{ accounts_to_recompute() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Says in the log what the run recomputes (call once, where the model
    renders its final select): "int_account_milestones: recomputing 12 of 400
    accounts (their events or account changed)", or all of them and why. -#}
{% macro log_accounts_to_recompute() -%}
    {#- int_accounts is upstream, so built before in any run; not so when a tool
        compiles the model alone on an empty warehouse (sqlfluff's dbt templater). -#}
    {%- if execute and model.resource_type == 'model' and config.get('materialized') == 'incremental'
        and load_relation(ref('int_accounts')) is not none -%}
        {%- set total = run_query('select count(*) from ' ~ ref('int_accounts')).rows[0][0] -%}
        {%- if is_incremental() -%}
            {%- set count_query = 'select count(*) from (' ~ accounts_to_recompute() ~ ') as recomputed' -%}
            {%- set message = 'recomputing ' ~ run_query(count_query).rows[0][0] ~ ' of ' ~ total
                ~ ' accounts (their events or account changed)' -%}
        {%- elif flags.FULL_REFRESH -%}
            {%- set message = 'recomputing all ' ~ total ~ ' accounts (--full-refresh)' -%}
        {%- elif changed_inputs() -%}
            {%- set message = changed_inputs() | join(', ') ~ ': recomputing all ' ~ total ~ ' accounts' -%}
        {%- else -%}
            {%- set message = 'first build: computing all ' ~ total ~ ' accounts' -%}
        {%- endif -%}
        {{ log(this.identifier ~ ': ' ~ message, info=True) }}
    {%- endif -%}
{%- endmacro %}

{#- Incremental strategy `replace_accounts`: delete every row of the accounts
    to recompute (also those that now have no rows), then insert the new
    rows. The set is the one the model's query used: nothing has changed in
    between. -#}
{% macro get_incremental_replace_accounts_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where account_id in ({{ accounts_to_recompute() }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}
