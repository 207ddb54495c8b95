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
            "dynamodb:UpdateItem"
        ])
    );
    assert_eq!(
        actions("FeedbackResponderFunction"),
        set(&[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "ssm:GetParameter"
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
            if action.starts_with("ssm:") {
                assert!(
                    resource.contains("parameter/${AWS::StackName}/pages/"),
                    "{name}: {action} on {resource}"
                );
            }
        }
    }
}

#[test]
fn secrets_are_parameters_that_never_echo_and_default_to_off() {
    let t = template();
    for p in [
        "MetaAppSecrets",
        "MetaVerifyToken",
        "StandardWebhookSecrets",
        "GoogleOauthClientSecret",
        "TrustpilotUrlSecrets",
        "TrustpilotApiSecret",
    ] {
        assert_eq!(t["Parameters"][p]["NoEcho"].as_bool(), Some(true), "{p}");
        // Every platform is optional: its secrets default to empty (the platform is off),
        // never to a usable value.
        assert!(
            t["Parameters"][p]
                .get("Default")
                .is_none_or(|d| d.as_str() == Some("")),
            "{p} has no default value but empty"
        );
    }
}
