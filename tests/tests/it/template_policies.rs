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

/// The function `name` of the template.
fn function(t: &Value, name: &str) -> Value {
    functions(t)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no function {name}"))
        .1
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
            match s["Effect"].as_str() {
                Some("Allow") => {}
                // Denials only take away (checked in their own test).
                Some("Deny") => continue,
                other => panic!("unexpected Effect {other:?}"),
            }
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
        let f = function(&t, name);
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
        .chain(platforms::outbound::SECRET_VARIABLES.iter())
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
        let f = function(&t, name);
        let mut keys = BTreeSet::new();
        for policy in f["Properties"]["Policies"].as_sequence().unwrap() {
            for s in policy["Statement"].as_sequence().unwrap() {
                let actions = serde_norway::to_string(&s["Action"]).unwrap();
                if !actions.contains("dynamodb:") || s["Effect"].as_str() == Some("Deny") {
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
fn only_staff_tooling_may_write_an_approval_or_an_edited_reply() {
    let t = template();
    // The names the store writes for staff only.
    use store::keys::attr;
    let staff_only: BTreeSet<String> = [attr::APPROVED_BY, attr::EDITED_TEXT, attr::EDITED_BY]
        .map(str::to_owned)
        .into();
    for name in [
        "WebhookIngestFunction",
        "FeedbackResponderFunction",
        "SlaSweeperFunction",
        "ReviewPollerFunction",
    ] {
        let f = function(&t, name);
        let mut denied_writes = BTreeSet::new();
        let mut denied_attributes = BTreeSet::new();
        for policy in f["Properties"]["Policies"].as_sequence().unwrap() {
            for s in policy["Statement"].as_sequence().unwrap() {
                if s["Effect"].as_str() != Some("Deny") {
                    continue;
                }
                assert_eq!(
                    serde_norway::to_string(&s["Resource"]).unwrap().trim(),
                    "!GetAtt FeedbackTable.Arn"
                );
                denied_writes.extend(
                    s["Action"]
                        .as_sequence()
                        .unwrap()
                        .iter()
                        .map(|a| a.as_str().unwrap().to_owned()),
                );
                denied_attributes.extend(
                    s["Condition"]["ForAnyValue:StringEquals"]["dynamodb:Attributes"]
                        .as_sequence()
                        .unwrap_or_else(|| panic!("{name}: a denial without its attributes"))
                        .iter()
                        .map(|a| a.as_str().unwrap().to_owned()),
                );
            }
        }
        let writes: BTreeSet<String> = grants(&f)
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| a == "dynamodb:PutItem" || a == "dynamodb:UpdateItem")
            .collect();
        assert_eq!(denied_writes, writes, "{name}: every write it may do");
        assert_eq!(denied_attributes, staff_only, "{name}");
    }
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

#[test]
fn the_sweeper_may_do_exactly_what_it_uses_and_never_scans() {
    let t = template();
    let sweeper = function(&t, "SlaSweeperFunction");
    let grants = grants(&sweeper);
    let actions: BTreeSet<&str> = grants.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        BTreeSet::from([
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "ssm:GetParameter",
            "ssm:GetParameters"
        ])
    );
    for (action, resource) in &grants {
        match action.as_str() {
            // Open, resolved and asked tasks and pending notifications: the task index;
            // a page's hourly complaint counts (spikes): the table, held to its partition
            // by the LeadingKeys condition checked below.
            "dynamodb:Query" => assert!(
                resource.contains("${FeedbackTable.Arn}/index/gsi1")
                    || (resource.contains("FeedbackTable.Arn") && !resource.contains("index")),
                "Query on {resource}: the task index or a partition of the table"
            ),
            a if a.starts_with("dynamodb:") => assert!(
                resource.contains("FeedbackTable.Arn") && !resource.contains("index"),
                "{a} on {resource}: the table itself"
            ),
            _ => {}
        }
    }
    // Its writes only in item and page partitions (tasks, follow-ups, notifications).
    for policy in sweeper["Properties"]["Policies"].as_sequence().unwrap() {
        for s in policy["Statement"].as_sequence().unwrap() {
            let actions = serde_norway::to_string(&s["Action"]).unwrap();
            if s["Effect"].as_str() == Some("Allow")
                && (actions.contains("dynamodb:PutItem") || actions.contains("dynamodb:UpdateItem"))
            {
                let keys: BTreeSet<&str> =
                    s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                        .as_sequence()
                        .expect("table writes held to a LeadingKeys condition")
                        .iter()
                        .map(|k| k.as_str().unwrap())
                        .collect();
                assert_eq!(keys, BTreeSet::from(["feedback#*", "page#*"]));
            }
        }
    }
    // On a schedule (an EventBridge rule on the SweepSchedule parameter).
    let events = sweeper["Properties"]["Events"].as_mapping().unwrap();
    let schedule = events
        .values()
        .find(|e| e["Type"].as_str() == Some("Schedule"))
        .expect("a schedule");
    assert!(
        serde_norway::to_string(&schedule["Properties"]["Schedule"])
            .unwrap()
            .contains("SweepSchedule")
    );
    assert!(
        t["Parameters"]["SweepSchedule"]["Default"]
            .as_str()
            .is_some_and(|d| d.starts_with("rate(")),
        "a default schedule"
    );
    // Its own log group, with retention.
    assert!(!t["Resources"]["SlaSweeperLogGroup"]["Properties"]["RetentionInDays"].is_null());
    assert!(
        serde_norway::to_string(&sweeper["Properties"]["LoggingConfig"]["LogGroup"])
            .unwrap()
            .contains("SlaSweeperLogGroup")
    );
}

/// A resource of the template by its logical id.
fn resource<'t>(t: &'t Value, name: &str) -> &'t Value {
    let r = &t["Resources"][name];
    assert!(!r.is_null(), "the template has {name}");
    r
}

fn yaml(v: &Value) -> String {
    serde_norway::to_string(v).unwrap()
}

#[test]
fn the_tasks_api_may_do_exactly_what_the_inbox_uses_and_writes_only_items_and_pages() {
    let t = template();
    let inbox = function(&t, "TasksApiFunction");
    let actions: BTreeSet<String> = grants(&inbox).into_iter().map(|(a, _)| a).collect();
    let expected: BTreeSet<String> = [
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(actions, expected, "no SSM: the inbox reads no secret");
    for policy in inbox["Properties"]["Policies"].as_sequence().unwrap() {
        for s in policy["Statement"].as_sequence().unwrap() {
            let actions = yaml(&s["Action"]);
            let resource = yaml(&s["Resource"]);
            let keys: Option<BTreeSet<&str>> =
                s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                    .as_sequence()
                    .map(|k| k.iter().map(|k| k.as_str().unwrap()).collect());
            if resource.contains("index") {
                // The queue: only the task index, only its task partitions, only a query.
                assert_eq!(
                    actions.trim(),
                    "- dynamodb:Query",
                    "{actions} on {resource}"
                );
                assert!(
                    resource.contains("${FeedbackTable.Arn}/index/gsi1"),
                    "{resource}"
                );
                assert_eq!(keys, Some(BTreeSet::from(["task#*"])));
            } else if actions.contains("dynamodb:Scan") {
                // A scan names no partition key: alone in its statement, on the table.
                assert_eq!(actions.trim(), "- dynamodb:Scan", "Scan shares a statement");
                assert!(resource.contains("FeedbackTable"), "{resource}");
            } else {
                for write in ["PutItem", "UpdateItem", "ConditionCheckItem", "GetItem"] {
                    if actions.contains(write) {
                        assert_eq!(
                            keys,
                            Some(BTreeSet::from(["feedback#*", "page#*"])),
                            "{write}: only item and page partitions"
                        );
                    }
                }
            }
        }
    }
    let env = yaml(&inbox["Properties"]["Environment"]);
    for never in ["LOCAL", "SECRET", "PASSWORD"] {
        assert!(
            !env.contains(never),
            "the inbox's environment names {never}"
        );
    }
    for needed in ["COGNITO_ISSUER", "COGNITO_CLIENT_ID", "COGNITO_DOMAIN"] {
        assert!(env.contains(needed), "{needed} is set");
    }
}

#[test]
fn every_inbox_api_route_needs_a_signed_in_member_of_staff_and_only_the_page_is_public() {
    let t = template();
    let routes: Vec<(&str, &Value)> = t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::ApiGatewayV2::Route"))
        .filter(|(_, r)| yaml(&r["Properties"]["ApiId"]).contains("TasksApi"))
        .map(|(k, r)| (k.as_str().unwrap(), &r["Properties"]))
        .collect();
    let keys: BTreeSet<&str> = routes
        .iter()
        .map(|(_, r)| r["RouteKey"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["ANY /api/{proxy+}", "GET /inbox", "GET /inbox/{file}"])
    );
    for (name, route) in &routes {
        let key = route["RouteKey"].as_str().unwrap();
        if key.contains("/api") {
            assert_eq!(route["AuthorizationType"].as_str(), Some("JWT"), "{name}");
            assert!(
                yaml(&route["AuthorizerId"]).contains("TasksApiAuthorizer"),
                "{name}: the staff authorizer"
            );
        } else {
            assert!(key.starts_with("GET /inbox"), "{name}: {key} is public");
            assert_eq!(route["AuthorizationType"].as_str(), Some("NONE"));
        }
    }
    let authorizer = &resource(&t, "TasksApiAuthorizer")["Properties"];
    assert_eq!(authorizer["AuthorizerType"].as_str(), Some("JWT"));
    assert_eq!(
        yaml(&authorizer["IdentitySource"]).trim(),
        "- $request.header.Authorization"
    );
    let jwt = &authorizer["JwtConfiguration"];
    assert!(yaml(&jwt["Issuer"]).contains("https://cognito-idp.${AWS::Region}"));
    assert!(yaml(&jwt["Issuer"]).contains("${StaffUserPool}"));
    assert!(yaml(&jwt["Audience"]).contains("InboxUserPoolClient"));
    // The stage's access log: no headers (they hold the token), bodies or paths.
    let format = resource(&t, "TasksApiStage")["Properties"]["AccessLogSettings"]["Format"]
        .as_str()
        .unwrap();
    for leak in ["$context.path", "header", "body"] {
        assert!(!format.contains(leak), "access logs must not hold {leak}");
    }
}

#[test]
fn staff_accounts_are_made_by_an_owner_with_strong_passwords_and_sign_in_returns_to_the_inbox() {
    let t = template();
    let pool = &resource(&t, "StaffUserPool")["Properties"];
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"].as_bool(),
        Some(true),
        "nobody signs themselves up"
    );
    assert_eq!(yaml(&pool["UsernameAttributes"]).trim(), "- email");
    let password = &pool["Policies"]["PasswordPolicy"];
    assert!(password["MinimumLength"].as_u64().unwrap() >= 12);
    for rule in [
        "RequireLowercase",
        "RequireUppercase",
        "RequireNumbers",
        "RequireSymbols",
    ] {
        assert_eq!(password[rule].as_bool(), Some(true), "{rule}");
    }
    let client = &resource(&t, "InboxUserPoolClient")["Properties"];
    assert_eq!(
        client["GenerateSecret"].as_bool(),
        Some(false),
        "a public client"
    );
    assert_eq!(yaml(&client["AllowedOAuthFlows"]).trim(), "- code");
    let callback = yaml(&client["CallbackURLs"]);
    assert!(
        callback.contains("${TasksApi}.execute-api") && callback.trim_end().ends_with("/inbox"),
        "{callback}"
    );
    assert!(!resource(&t, "InboxSignInDomain")["Properties"]["Domain"].is_null());
}

#[test]
fn the_app_client_cannot_write_the_email_and_a_new_email_counts_only_once_verified() {
    let t = template();
    let client = &resource(&t, "InboxUserPoolClient")["Properties"];
    let writable: Vec<&str> = client["WriteAttributes"]
        .as_sequence()
        .expect("WriteAttributes listed (left out, every attribute is writable)")
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for attribute in ["email", "email_verified"] {
        assert!(
            !writable.contains(&attribute),
            "users could change their own {attribute}: {writable:?}"
        );
    }
    let pool = &resource(&t, "StaffUserPool")["Properties"];
    assert_eq!(
        yaml(&pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"])
            .trim(),
        "- email",
        "a changed address is not used until it is verified"
    );
    assert_eq!(yaml(&pool["AutoVerifiedAttributes"]).trim(), "- email");
}

#[test]
fn the_inbox_roles_are_the_user_pool_s_groups() {
    let t = template();
    let groups: BTreeSet<String> = t["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Cognito::UserPoolGroup"))
        .map(|g| {
            assert_eq!(
                yaml(&g["Properties"]["UserPoolId"]).trim(),
                "!Ref StaffUserPool"
            );
            g["Properties"]["GroupName"].as_str().unwrap().to_owned()
        })
        .collect();
    let roles: BTreeSet<String> = tasks_api::auth::Role::ALL
        .iter()
        .map(|r| r.group().to_owned())
        .collect();
    assert_eq!(groups, roles);
}

/// The secret variables a function may read: the last segment of every SSM parameter
/// under `/<stack>/secrets/` its policies grant (a wildcard fails the test).
fn secret_reads(name: &str, function: &Value) -> BTreeSet<String> {
    let mut reads = BTreeSet::new();
    for policy in function["Properties"]["Policies"].as_sequence().unwrap() {
        for s in policy["Statement"].as_sequence().unwrap() {
            if s["Effect"].as_str() != Some("Allow") {
                continue;
            }
            if !yaml(&s["Action"]).contains("ssm:") {
                continue;
            }
            let resources = match &s["Resource"] {
                Value::Sequence(list) => list.clone(),
                one => vec![one.clone()],
            };
            for r in resources {
                let text = yaml(&r);
                let Some((_, variable)) = text.split_once("parameter/${AWS::StackName}/secrets/")
                else {
                    continue;
                };
                let variable = variable.trim().trim_matches(['"', '\'']);
                assert!(
                    !variable.is_empty() && !variable.contains('*') && !variable.contains('/'),
                    "{name}: may read {text}"
                );
                reads.insert(variable.to_owned());
            }
        }
    }
    reads
}

#[test]
fn no_function_may_read_a_secret_it_does_not_use() {
    let t = template();
    let names = |list: &[&str]| list.iter().map(|v| v.to_string()).collect::<BTreeSet<_>>();
    // What each function's main.rs passes to `read_secrets`.
    let webhooks = names(&platforms::registry::SECRET_VARIABLES);
    let reply_clients = names(&platforms::outbound::SECRET_VARIABLES);
    let functions = functions(&t);
    assert_eq!(
        functions.len(),
        5,
        "a new function: say which secrets it reads"
    );
    for (name, f) in functions {
        let uses = match name.as_str() {
            // Public-facing: the webhook secrets only, never a reply client's.
            "WebhookIngestFunction" => webhooks.clone(),
            "FeedbackResponderFunction" | "SlaSweeperFunction" => reply_clients.clone(),
            // Reads no secret at all (the poller reads only its apps' keys, under pages/).
            "TasksApiFunction" | "ReviewPollerFunction" => BTreeSet::new(),
            other => panic!("{other}: which secrets does it read?"),
        };
        assert_eq!(secret_reads(&name, &f), uses, "{name}");
    }
}
