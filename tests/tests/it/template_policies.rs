//! Least privilege, checked on the template itself: every function's policy names only the
//! actions it uses, on only its resources.

use serde_norway::Value;
use std::collections::BTreeSet;

fn template() -> Value {
    serde_norway::from_str(store::setup::TEMPLATE_YAML).expect("template.yaml parses")
}

fn functions(t: &Value) -> Vec<(String, Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(k, r)| (k.as_str().unwrap().to_owned(), r.clone()))
        .collect()
}

/// The (action, resource-as-YAML) pairs of a function's inline policies; any other kind of
/// policy (a SAM policy template or a managed policy) fails the test.
fn grants(function: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for policy in function["Properties"]["Policies"].as_sequence().unwrap() {
        let statements = policy["Statement"].as_sequence().unwrap_or_else(|| {
            panic!("only inline policy documents are allowed, found {policy:?}")
        });
        for s in statements {
            assert_eq!(s["Effect"].as_str(), Some("Allow"));
            let resource = serde_norway::to_string(&s["Resource"]).unwrap();
            let actions: Vec<String> = match &s["Action"] {
                Value::String(a) => vec![a.clone()],
                Value::Sequence(list) => list
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect(),
                other => panic!("unexpected Action {other:?}"),
            };
            for a in actions {
                out.push((a, resource.clone()));
            }
        }
    }
    out
}

#[test]
fn no_function_has_a_wildcard_action_a_wildcard_resource_or_a_crud_policy() {
    let t = template();
    let text = store::setup::TEMPLATE_YAML;
    assert!(!text.contains("DynamoDBCrudPolicy"));
    for (name, f) in functions(&t) {
        for (action, resource) in grants(&f) {
            assert!(!action.contains('*'), "{name}: wildcard action {action}");
            assert!(
                resource.trim() != "'*'" && resource.trim() != "\"*\"",
                "{name}: {action} on every resource"
            );
        }
    }
}

#[test]
fn each_function_may_do_exactly_what_it_uses() {
    let t = template();
    let actions = |name: &str| -> BTreeSet<String> {
        let f = functions(&t)
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1;
        grants(&f).into_iter().map(|(a, _)| a).collect()
    };
    let set = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        actions("WebhookIngestFunction"),
        set(&[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "ssm:GetParameters"
        ])
    );
    assert_eq!(
        actions("FeedbackResponderFunction"),
        set(&[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "ssm:GetParameter",
            "ssm:GetParameters"
        ])
    );
}

#[test]
fn table_grants_name_the_table_and_token_grants_only_the_stack_prefix() {
    let t = template();
    for (name, f) in functions(&t) {
        for (action, resource) in grants(&f) {
            if action.starts_with("dynamodb:") {
                assert!(
                    resource.contains("FeedbackTable"),
                    "{name}: {action} on {resource}"
                );
            }
            if action == "ssm:GetParameter" {
                assert!(
                    resource.contains("parameter/${AWS::StackName}/pages/"),
                    "{name}: {action} on {resource}"
                );
            }
            if action == "ssm:GetParameters" {
                assert!(
                    resource.contains("parameter/${AWS::StackName}/secrets/"),
                    "{name}: {action} on {resource}"
                );
            }
        }
    }
}

#[test]
fn secrets_are_neither_template_parameters_nor_environment_variables() {
    let t = template();
    let text = store::setup::TEMPLATE_YAML;
    // Readable with lambda:GetFunctionConfiguration, a Lambda environment is no place for a
    // secret: they live in SSM SecureStrings under /<stack>/secrets/.
    for variable in platforms::registry::SECRET_VARIABLES
        .iter()
        .chain(platforms::reply::SECRET_VARIABLES.iter())
    {
        assert!(
            !text.contains(&format!("{variable}:")),
            "{variable} is set in the template"
        );
    }
    let parameters = t["Parameters"].as_mapping().unwrap();
    for (name, p) in parameters {
        assert!(p.get("NoEcho").is_none(), "{name:?} is a secret parameter");
    }
    let path = serde_norway::to_string(
        &t["Globals"]["Function"]["Environment"]["Variables"]["SECRETS_SSM_PATH"],
    )
    .unwrap();
    assert!(path.contains("/${AWS::StackName}/secrets"), "{path}");
}

#[test]
fn table_writes_are_held_to_the_keys_each_function_owns() {
    let t = template();
    let leading = |name: &str| -> BTreeSet<String> {
        let f = functions(&t)
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1;
        let mut keys = BTreeSet::new();
        for policy in f["Properties"]["Policies"].as_sequence().unwrap() {
            for s in policy["Statement"].as_sequence().unwrap() {
                let actions = serde_norway::to_string(&s["Action"]).unwrap();
                if !actions.contains("dynamodb:") {
                    continue;
                }
                let condition = &s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
                let list = condition.as_sequence().unwrap_or_else(|| {
                    panic!("{name}: a table grant without a LeadingKeys condition")
                });
                keys.extend(list.iter().map(|k| k.as_str().unwrap().to_owned()));
            }
        }
        keys
    };
    let set = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        leading("WebhookIngestFunction"),
        set(&["feedback#*", "unsupported#*"])
    );
    assert_eq!(
        leading("FeedbackResponderFunction"),
        set(&["answered#*", "feedback#*", "page#*"])
    );
}

#[test]
fn the_table_cannot_be_deleted_and_the_stream_lag_and_refusals_alarm() {
    let t = template();
    let table = &t["Resources"]["FeedbackTable"];
    assert_eq!(
        table["Properties"]["DeletionProtectionEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
    let alarm = &t["Resources"]["ResponderIteratorAgeAlarm"]["Properties"];
    assert_eq!(alarm["MetricName"].as_str(), Some("IteratorAge"));
    let refused = &t["Resources"]["RefusedDeliveriesAlarm"]["Properties"];
    assert_eq!(
        refused["MetricName"].as_str(),
        Some("DeliveriesRefusedByStorage")
    );
    let format = t["Resources"]["WebhookApi"]["Properties"]["AccessLogSettings"]["Format"]
        .as_str()
        .unwrap();
    assert!(format.contains("$context.routeKey"));
    for leak in ["$context.path", "header", "body"] {
        assert!(!format.contains(leak), "access logs must not hold {leak}");
    }
}
