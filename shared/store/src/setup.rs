//! Create a table from the `FeedbackTable` definition in `template.yaml`: the single source
//! of the table's keys, indexes, stream and TTL. Used by the local runner, the scripts in
//! `infra/` and the tests; never by a Lambda.

use crate::{DynamoStore, StoreError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The deployed template, compiled in.
pub const TEMPLATE_YAML: &str = include_str!("../../../template.yaml");
/// The logical id of the responder function in the template.
pub const RESPONDER_RESOURCE: &str = "FeedbackResponderFunction";

/// The logical id of the table in the template.
pub const TABLE_RESOURCE: &str = "FeedbackTable";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("template.yaml cannot be read: {0}")]
    Template(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the table definition is invalid: {0}")]
    Definition(String),
}

#[derive(Deserialize)]
struct Template {
    #[serde(rename = "Resources")]
    resources: BTreeMap<String, Resource>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Properties", default)]
    properties: serde_norway::Value,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TableDefinition {
    pub attribute_definitions: Vec<AttributeDef>,
    pub key_schema: Vec<KeyDef>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<IndexDef>,
    pub stream_specification: Option<StreamDef>,
    pub time_to_live_specification: Option<TtlDef>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDef {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct KeyDef {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDef {
    pub index_name: String,
    pub key_schema: Vec<KeyDef>,
    pub projection: ProjectionDef,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionDef {
    pub projection_type: String,
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct StreamDef {
    pub stream_view_type: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TtlDef {
    pub attribute_name: String,
    pub enabled: bool,
}

impl TableDefinition {
    /// The definition of [`TABLE_RESOURCE`] in a template.
    pub fn from_template(yaml: &str) -> Result<Self, SetupError> {
        let template: Template =
            serde_norway::from_str(yaml).map_err(|e| SetupError::Template(e.to_string()))?;
        let resource = template
            .resources
            .get(TABLE_RESOURCE)
            .filter(|r| r.kind == "AWS::DynamoDB::Table")
            .ok_or_else(|| {
                SetupError::Template(format!("no AWS::DynamoDB::Table named {TABLE_RESOURCE}"))
            })?;
        serde_norway::from_value(resource.properties.clone())
            .map_err(|e| SetupError::Template(format!("{TABLE_RESOURCE}: {e}")))
    }

    /// The definition compiled in from the workspace's `template.yaml`.
    pub fn deployed() -> Result<Self, SetupError> {
        Self::from_template(TEMPLATE_YAML)
    }
}

/// The responder's stream filter patterns (`FilterCriteria`), so the local runner hands
/// the responder exactly what Lambda would.
pub fn responder_filter_patterns(yaml: &str) -> Result<Vec<serde_json::Value>, SetupError> {
    let template: Template =
        serde_norway::from_str(yaml).map_err(|e| SetupError::Template(e.to_string()))?;
    let function = template
        .resources
        .get(RESPONDER_RESOURCE)
        .ok_or_else(|| SetupError::Template(format!("no resource {RESPONDER_RESOURCE}")))?;
    let events = function
        .properties
        .get("Events")
        .and_then(|e| e.as_mapping())
        .ok_or_else(|| SetupError::Template(format!("{RESPONDER_RESOURCE} has no Events")))?;
    let mut patterns = Vec::new();
    for (_, event) in events {
        let filters = event
            .get("Properties")
            .and_then(|p| p.get("FilterCriteria"))
            .and_then(|f| f.get("Filters"))
            .and_then(|f| f.as_sequence());
        for filter in filters.into_iter().flatten() {
            let pattern = filter
                .get("Pattern")
                .and_then(|p| p.as_str())
                .ok_or_else(|| SetupError::Template("a filter without a Pattern string".into()))?;
            patterns.push(
                serde_json::from_str(pattern)
                    .map_err(|e| SetupError::Template(format!("filter pattern: {e}")))?,
            );
        }
    }
    Ok(patterns)
}

/// Does a Lambda event-filter pattern match an event? Supports what our template uses:
/// nested objects, and arrays of allowed exact values.
pub fn pattern_matches(pattern: &serde_json::Value, event: &serde_json::Value) -> bool {
    use serde_json::Value;
    match pattern {
        Value::Object(fields) => fields.iter().all(|(k, p)| match event.get(k) {
            Some(v) => pattern_matches(p, v),
            None => false,
        }),
        Value::Array(allowed) => allowed.iter().any(|a| a == event),
        other => other == event,
    }
}

fn key(k: &KeyDef) -> Result<KeySchemaElement, SetupError> {
    KeySchemaElement::builder()
        .attribute_name(&k.attribute_name)
        .key_type(KeyType::from(k.key_type.as_str()))
        .build()
        .map_err(|e| SetupError::Definition(e.to_string()))
}

fn keys(ks: &[KeyDef]) -> Result<Vec<KeySchemaElement>, SetupError> {
    ks.iter().map(key).collect()
}

fn store_err<E: std::error::Error + Send + Sync + 'static>(
    operation: &'static str,
) -> impl FnOnce(E) -> SetupError {
    move |e| {
        SetupError::Store(StoreError::Dynamo {
            operation,
            source: Box::new(e),
        })
    }
}

/// Create `table` from `def` unless it exists, then turn TTL on. Returns `true` if created.
pub async fn create_table(store: &DynamoStore, def: &TableDefinition) -> Result<bool, SetupError> {
    let client = store.client();
    let table = store.table();
    let existing = client
        .list_tables()
        .send()
        .await
        .map_err(store_err("ListTables"))?;
    if existing.table_names().iter().any(|t| t == table) {
        return Ok(false);
    }
    let mut req = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(keys(&def.key_schema)?));
    for a in &def.attribute_definitions {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&a.attribute_name)
                .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                .build()
                .map_err(|e| SetupError::Definition(e.to_string()))?,
        );
    }
    for i in &def.global_secondary_indexes {
        let projection = Projection::builder()
            .projection_type(ProjectionType::from(i.projection.projection_type.as_str()))
            .set_non_key_attributes(
                (!i.projection.non_key_attributes.is_empty())
                    .then(|| i.projection.non_key_attributes.clone()),
            )
            .build();
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&i.index_name)
                .set_key_schema(Some(keys(&i.key_schema)?))
                .projection(projection)
                .build()
                .map_err(|e| SetupError::Definition(e.to_string()))?,
        );
    }
    if let Some(stream) = &def.stream_specification {
        req = req.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(stream.stream_view_type.as_str()))
                .build()
                .map_err(|e| SetupError::Definition(e.to_string()))?,
        );
    }
    match req.send().await {
        Ok(_) => {}
        // Someone else created it between our look and our create.
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.is_resource_in_use_exception()) =>
        {
            return Ok(false);
        }
        Err(e) => return Err(store_err("CreateTable")(e)),
    }
    if let Some(ttl) = def
        .time_to_live_specification
        .as_ref()
        .filter(|t| t.enabled)
    {
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(&ttl.attribute_name)
                    .enabled(true)
                    .build()
                    .map_err(|e| SetupError::Definition(e.to_string()))?,
            )
            .send()
            .await
            .map_err(store_err("UpdateTimeToLive"))?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deployed_template_defines_the_table_the_code_keys_on() {
        let def = TableDefinition::deployed().unwrap();
        let names: Vec<_> = def
            .key_schema
            .iter()
            .map(|k| k.attribute_name.as_str())
            .collect();
        assert_eq!(names, [crate::keys::PK, crate::keys::SK]);
        let indexes: Vec<_> = def
            .global_secondary_indexes
            .iter()
            .map(|i| {
                (
                    i.index_name.as_str(),
                    i.key_schema[0].attribute_name.as_str(),
                    i.key_schema[1].attribute_name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            indexes,
            [
                ("gsi1", crate::keys::GSI1_PK, crate::keys::GSI1_SK),
                ("gsi2", crate::keys::GSI2_PK, crate::keys::GSI2_SK)
            ]
        );
        assert_eq!(
            def.time_to_live_specification.map(|t| t.attribute_name),
            Some(crate::keys::TTL.to_owned())
        );
        assert_eq!(
            def.stream_specification.map(|s| s.stream_view_type),
            Some("NEW_AND_OLD_IMAGES".to_owned())
        );
    }

    #[test]
    fn the_responder_filter_passes_new_feedback_and_approvals_only() {
        let patterns = responder_filter_patterns(TEMPLATE_YAML).unwrap();
        let event = |name: &str, record_type: &str| serde_json::json!({"eventName": name, "dynamodb": {"NewImage": {"record_type": {"S": record_type}}}});
        let passes = |e: &serde_json::Value| patterns.iter().any(|p| pattern_matches(p, e));
        assert!(passes(&event("INSERT", "feedback")));
        assert!(passes(&event("INSERT", "approval")));
        assert!(!passes(&event("MODIFY", "feedback")));
        assert!(!passes(&event("REMOVE", "feedback")));
        assert!(!passes(&event("INSERT", "task")));
        assert!(!passes(&event("INSERT", "unsupported")));
    }

    #[test]
    fn a_template_without_the_table_is_a_clear_error() {
        let err = TableDefinition::from_template("Resources: {Other: {Type: AWS::SQS::Queue}}")
            .unwrap_err();
        assert!(err.to_string().contains("FeedbackTable"), "{err}");
    }
}
