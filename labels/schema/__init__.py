"""The project schema: the default, lookups, the schema check, span and relation values.

The package is the schema's public face: callers import from ``labels.schema``.
"""

from labels.schema.lookups import (
    Schema,
    label_names,
    missing_attributes,
    relation_attributes,
    relation_names,
    relation_type,
    span_attributes,
    span_label,
    span_ref_attributes,
    span_ref_names,
    span_valued_names,
)
from labels.schema.news_attribution import DEFAULT_SCHEMA, default_schema
from labels.schema.validation import (
    ATTRIBUTE_TYPES,
    CHOICE_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    RESERVED_HOTKEYS,
    SCHEMA_ID_MAX_LENGTH,
    TEXT_DEFAULT_MAX_LENGTH,
    TEXT_MAX_LENGTH_LIMIT,
    check_schema,
)
from labels.schema.values import check_relation, check_span

__all__ = [
    "ATTRIBUTE_TYPES",
    "CHOICE_MAX_LENGTH",
    "DEFAULT_SCHEMA",
    "DESCRIPTION_MAX_LENGTH",
    "NAME_MAX_LENGTH",
    "RESERVED_HOTKEYS",
    "SCHEMA_ID_MAX_LENGTH",
    "Schema",
    "TEXT_DEFAULT_MAX_LENGTH",
    "TEXT_MAX_LENGTH_LIMIT",
    "check_relation",
    "check_schema",
    "check_span",
    "default_schema",
    "label_names",
    "missing_attributes",
    "relation_attributes",
    "relation_names",
    "relation_type",
    "span_attributes",
    "span_label",
    "span_ref_attributes",
    "span_ref_names",
    "span_valued_names",
]
