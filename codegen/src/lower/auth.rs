//! Security requirements to the authentication an operation sends.

use openapiv3::{ReferenceOr, SecurityScheme};

use crate::error::{ptr, Error};
use crate::ir::*;

use super::Lowerer;

impl<'a> Lowerer<'a> {
    pub(super) fn auth(&self, op: &openapiv3::Operation, at: &str) -> Result<Auth, Error> {
        let requirements = op.security.as_ref().or(self.spec.security.as_ref());
        let Some(requirements) = requirements else { return Ok(Auth::None) };
        let optional = requirements.iter().any(|r| r.is_empty());
        let form_body = op.request_body.as_ref().is_some_and(|b| match b {
            ReferenceOr::Item(b) => b.content.contains_key("application/x-www-form-urlencoded"),
            ReferenceOr::Reference { .. } => false,
        });
        let security_at = if op.security.is_some() { ptr(at, "security") } else { "/security".to_owned() };
        // Each requirement object is a set of schemes sent together (AND); the objects are
        // alternatives (OR), tried in order.
        let mut alternatives: Vec<Auth> = Vec::new();
        let mut cookie_only = None;
        'requirements: for requirement in requirements.iter().filter(|r| !r.is_empty()) {
            let mut schemes = Vec::new();
            for scheme_name in requirement.keys() {
                let scheme = match self.spec.components.as_ref().and_then(|c| c.security_schemes.get(scheme_name)) {
                    Some(ReferenceOr::Item(s)) => s,
                    _ => {
                        return Err(self.ctx.invalid(
                            &security_at,
                            format!("security scheme `{scheme_name}` is not defined in components/securitySchemes"),
                        ))
                    }
                };
                let auth = match scheme {
                    SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
                        Auth::Basic { optional }
                    }
                    SecurityScheme::HTTP { .. } => Auth::Bearer { optional },
                    SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Header, name, .. } => {
                        Auth::ApiKeyHeader { name: name.clone(), optional }
                    }
                    SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Query, name, .. } => {
                        Auth::ApiKeyQuery { name: name.clone(), optional }
                    }
                    SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Cookie, .. } => {
                        // A requirement with a cookie key cannot be met; another may be.
                        cookie_only.get_or_insert_with(|| {
                            self.ctx.unsupported(&security_at, "API keys in cookies are not supported")
                        });
                        continue 'requirements;
                    }
                    // An OAuth scheme on a form-encoded operation is the token or introspection
                    // endpoint itself: the client authenticates with its own credentials (RFC 6749 §2.3).
                    SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } if form_body => {
                        Auth::ClientAuth { optional }
                    }
                    SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => Auth::Bearer { optional },
                };
                if !schemes.contains(&auth) {
                    schemes.push(auth);
                }
            }
            let requirement = if schemes.len() == 1 { schemes.remove(0) } else { Auth::All(schemes) };
            if !alternatives.contains(&requirement) {
                alternatives.push(requirement);
            }
        }
        Ok(match alternatives.len() {
            0 => match cookie_only {
                Some(error) => return Err(error),
                None => Auth::None,
            },
            1 => alternatives.remove(0),
            _ => Auth::Any(alternatives),
        })
    }
}
