//! The baseline of the responder's cold-start benchmark: the smallest `lambda_runtime`
//! function on a DynamoDB stream event, answering with an empty partial batch response,
//! built with the same profile as the real one.

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

async fn hello(_: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Error> {
    Ok(DynamoDbEventResponse::default())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(hello)).await
}
