{#- The fingerprint of an incremental model: everything its rows depend on
    other than the rows of the event and account tables (which the
    landing-date and per-account checks follow):
    - the content of every seed upstream of it (read from the seed's table,
      so a seed file edited but not yet loaded changes nothing);
    - the SQL of the model itself and of every model upstream of it, and of
      the project macros they use (with their engine variants and the
      macros of this folder, which decide what a run rebuilds);
    - the value of every var and environment setting that SQL reads, except
      the settings that only choose which rows a run rebuilds;
    - the dbt version and the target's engine.
    The model stores it, as a JSON map of component -> hash, in the column
    `_inputs_fingerprint` (the same in every row; `inputs_fingerprint_column`).
    A run whose fingerprint differs from the stored one rebuilds the model
    whole (dbt's own full-refresh path, through `should_full_refresh` below)
    and says which components changed. So no edit of a seed, a var or a
    model needs `--full-refresh` to be reflected. -#}

{#- Settings that choose which rows a run rebuilds, not what a row holds. -#}
{% macro row_selection_settings() -%}
    {{ return(['ONBOARDING_PARTITION_START', 'ONBOARDING_PARTITION_END']) }}
{%- endmacro %}

{#- dbt's own macro, extended: a model is also rebuilt whole when its inputs'
    fingerprint changed. is_incremental() and the incremental materializations
    of both engines ask this macro, so the SQL and the materialization agree. -#}
{% macro should_full_refresh() -%}
    {%- set config_full_refresh = config.get('full_refresh') -%}
    {%- if config_full_refresh is none -%}
        {%- set config_full_refresh = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- if config_full_refresh -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(changed_inputs() | length > 0) }}
{%- endmacro %}

{#- Why the model must be rebuilt whole: the components of the fingerprint
    that differ from the stored one ("seeds/milestones.csv changed"), or why
    the stored table cannot tell; empty when it need not (or is not an
    incremental model with a stored table). -#}
{% macro changed_inputs() -%}
    {%- if not execute or model.resource_type != 'model' or config.get('materialized') != 'incremental' -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set stored = stored_inputs_fingerprint() -%}
    {%- if stored is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if stored is string -%}
        {{ return([stored]) }}
    {%- endif -%}
    {%- set current = inputs_fingerprint() -%}
    {%- set changed = [] -%}
    {%- for name in (current.keys() | list + stored.keys() | list) | unique | sort -%}
        {%- if current.get(name) != stored.get(name) -%}
            {%- do changed.append(name ~ (' changed' if name in current and name in stored
                else ' added' if name in current else ' removed')) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changed) }}
{%- endmacro %}

{#- The fingerprint the model's table holds: a dict; none when there is no
    table yet; a reason (text) when the table cannot tell. -#}
{% macro stored_inputs_fingerprint() -%}
    {%- set relation = load_relation(this) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- if '_inputs_fingerprint' not in columns -%}
        {{ return('its table was built by an older version of the project') }}
    {%- endif -%}
    {%- set rows = run_query('select _inputs_fingerprint from ' ~ relation ~ ' limit 1').rows -%}
    {%- if rows | length == 0 -%}
        {{ return('its table is empty') }}
    {%- endif -%}
    {{ return(fromjson(rows[0][0])) }}
{%- endmacro %}

{#- The current fingerprint of the model being built: component -> hash. -#}
{% macro inputs_fingerprint() -%}
    {%- set nodes = [] -%}
    {%- do _collect_upstream(model.unique_id, nodes) -%}
    {%- set macros = [] -%}
    {%- set code = [] -%}
    {%- set components = {'engine': target.type ~ ' ' ~ dbt_version} -%}
    {%- for unique_id in nodes -%}
        {%- set node = model if unique_id == model.unique_id else graph.nodes.get(unique_id, {}) -%}
        {%- if node.resource_type == 'seed' -%}
            {%- do components.update({node.original_file_path: relation_content_hash(node)}) -%}
        {%- elif node.resource_type == 'model' -%}
            {%- do components.update({node.original_file_path: local_md5(node.raw_code)[:12]}) -%}
            {%- do code.append(node.raw_code) -%}
            {%- for macro_id in node.depends_on.macros -%}
                {%- do _collect_macro(macro_id, macros) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, generator in context[project_name].items() -%}
        {%- if generator.macro.original_file_path.startswith('macros/incremental/') -%}
            {%- do _collect_macro(generator.macro.unique_id, macros) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for macro in macros -%}
        {%- do components.update({'macro ' ~ macro.name: local_md5(macro.macro_sql)[:12]}) -%}
        {%- do code.append(macro.macro_sql) -%}
    {%- endfor -%}
    {%- set text = code | join('\n') -%}
    {%- for name in modules.re.findall("\\bvar\\(\\s*['\"](\\w+)['\"]", text) | unique | sort -%}
        {%- do components.update({'var ' ~ name: local_md5(tojson(var(name, none)))[:12]}) -%}
    {%- endfor -%}
    {%- for name in modules.re.findall("\\benv_(?:var|date|timestamp|location)\\(\\s*['\"](\\w+)['\"]", text) | unique | sort -%}
        {%- if name not in row_selection_settings() -%}
            {%- do components.update({'setting ' ~ name: env_fingerprint(name)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Names become part of a SQL literal: plain characters only. #}
    {%- set safe = {} -%}
    {%- for name, value in components.items() -%}
        {%- do safe.update({modules.re.sub('[^A-Za-z0-9_./ -]', '_', name): value}) -%}
    {%- endfor -%}
    {{ return(safe) }}
{%- endmacro %}

{#- `unique_id` and every seed and model upstream of it, appended to `found`. -#}
{% macro _collect_upstream(unique_id, found) -%}
    {%- if unique_id not in found -%}
        {%- do found.append(unique_id) -%}
        {%- set node = model if unique_id == model.unique_id else graph.nodes.get(unique_id) -%}
        {%- if node is not none -%}
            {%- for parent in node.depends_on.nodes -%}
                {%- do _collect_upstream(parent, found) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- A project macro and the project macros it calls (with their engine
    variants), appended to `found`. Macros of dbt and the adapters are covered
    by the dbt version. -#}
{% macro _collect_macro(macro_id, found) -%}
    {%- set parts = macro_id.split('.') -%}
    {%- if parts[1] == project_name -%}
        {%- set generator = context[project_name].get(parts[2]) -%}
        {%- if generator is not none and generator.macro not in found -%}
            {%- do found.append(generator.macro) -%}
            {%- for callee in generator.macro.depends_on.macros -%}
                {%- do _collect_macro(callee, found) -%}
            {%- endfor -%}
            {%- for prefix in ['default__', target.type ~ '__'] -%}
                {%- if context[project_name].get(prefix ~ parts[2]) is not none -%}
                    {%- do _collect_macro('macro.' ~ project_name ~ '.' ~ prefix ~ parts[2], found) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- A hash of a seed's table: its columns and types, and its rows in any
    order; 'missing' before the seed is loaded. -#}
{% macro relation_content_hash(node) -%}
    {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- if relation is none -%}
        {{ return('missing') }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) -%}
    {%- set names = columns | map(attribute='name') | list -%}
    {%- set described = [] -%}
    {%- for column in columns -%}
        {%- do described.append(column.name ~ ' ' ~ column.data_type) -%}
    {%- endfor -%}
    {%- set query -%}
        select count(*), {{ sum_of_row_hashes(names) }} from {{ relation }}
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {{ return(local_md5(described | join(',') ~ '|' ~ row[0] ~ '|' ~ row[1])[:12]) }}
{%- endmacro %}

{#- The fingerprint, as the column `_inputs_fingerprint` of the model's rows
    (a constant: stored once per block of rows). Also logs what the run does
    when the model is rebuilt whole because its inputs changed. -#}
{% macro inputs_fingerprint_column() -%}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set changed = changed_inputs() -%}
        {#- The account-level models say it with their account counts. #}
        {%- if changed and not flags.FULL_REFRESH and config.get('incremental_strategy') != 'replace_accounts' -%}
            {{ log(this.identifier ~ ": " ~ changed | join(', ') ~ ": rebuilding it whole", info=True) }}
        {%- endif -%}
        {%- set value = tojson(inputs_fingerprint(), sort_keys=true) -%}
    {%- else -%}
        {%- set value = '{}' -%}
    {%- endif -%}
    cast('{{ value }}' as {{ dbt.type_string() }}) as _inputs_fingerprint
{%- endmacro %}
