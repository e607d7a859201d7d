//! Managing OAuth clients with the generated operations: every client through auto-pagination,
//! one by id, and (with `CREATE_EXAMPLE_CLIENT=1`) creating, renaming and deleting one.
//!
//! ```sh
//! TELNYX_API_KEY=... cargo run -p telnyx-oauth --example manage_oauth_clients
//! # against Prism on our spec (README, "Examples"; Prism serves every path at its root):
//! TELNYX_BASE_URL=http://127.0.0.1:4010 TELNYX_API_KEY=test \
//!   cargo run -p telnyx-oauth --example manage_oauth_clients
//! ```

use telnyx_oauth::models::{
    ClientType, GrantType, OAuthClientCreateRequest, OAuthClientCreateRequestRequired, OAuthClientUpdateRequest,
};
use telnyx_oauth::operations::GetOAuthClientError;
use telnyx_oauth::{Client, OperationError, TryStreamExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?; // TELNYX_API_KEY, TELNYX_BASE_URL

    // `.items()` follows the pages (page[number], page[size]) until the last one.
    let mut clients = client.list_oauth_clients().page_size(20).items();
    let mut first_id = None;
    let mut count = 0;
    while let Some(c) = clients.try_next().await? {
        count += 1;
        println!("{}  {:<30} {:?}", c.client_id, c.name, c.client_type);
        first_id.get_or_insert(c.client_id);
    }
    println!("{count} OAuth clients");

    if let Some(id) = first_id {
        // `send_typed` decodes the statuses the operation documents into its own error enum;
        // `send_data` would unwrap the `{ "data": ... }` envelope instead.
        match client.get_oauth_client(&id).send_typed().await {
            Ok(one) => {
                if let Some(c) = one.data {
                    println!("first client: {} created {}, scopes {:?}", c.name, c.created_at, c.allowed_scopes);
                }
            }
            Err(OperationError::Documented(GetOAuthClientError::NotFound(body), _)) => {
                println!("client {id} is gone ({})", body.error)
            }
            Err(e) => println!("could not fetch client {id}: {e}"),
        }
    }

    if std::env::var("CREATE_EXAMPLE_CLIENT").as_deref() == Ok("1") {
        let request = OAuthClientCreateRequest::new(OAuthClientCreateRequestRequired {
            allowed_grant_types: vec![GrantType::ClientCredentials],
            allowed_scopes: vec!["admin".into()],
            client_type: ClientType::Confidential,
            name: "telnyx-oauth example client".into(),
        });
        let created = client.create_oauth_client(request).send_data().await?;
        println!("created {} (the secret is shown once; not printed here)", created.client_id);
        let update = OAuthClientUpdateRequest::new().with_name("telnyx-oauth example client (renamed)");
        client.update_oauth_client(&created.client_id, update).await?;
        client.delete_oauth_client(&created.client_id).await?;
        println!("renamed and deleted {}", created.client_id);
    }
    Ok(())
}
