//! Impls that every generated string enum and request builder share, written once here instead
//! of once per type in the generated files. A crate whose spec has no enum (or no operation)
//! leaves one of them unused, hence the allowances.
//!
//! Every function here is `#[inline]`: a non-generic function of a library is compiled to
//! machine code in the library whether or not anything calls it, an `#[inline]` one only in
//! the crate that calls it. With thousands of enums and operations, a user's debug build then
//! pays for the ones it uses, not for all of them.
#![allow(unused_macros, unused_imports)]

/// The conversions of a generated string enum: `as_str`, `From<&str>`, `From<String>`,
/// `FromStr`, `Display`, `Serialize`, `Deserialize` and `QueryValue`. A value the spec does not
/// list decodes into the catch-all variant instead of failing.
macro_rules! string_enum {
    ($name:ident, $other:ident, { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $name {
            /// The value as sent on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            #[inline]
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            #[inline]
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            #[inline]
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            #[inline]
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }

        impl crate::runtime::QueryValue for $name {
            #[inline]
            fn push_pairs(&self, name: &'static str, out: &mut Vec<(::std::borrow::Cow<'static, str>, String)>) {
                out.push((::std::borrow::Cow::Borrowed(name), self.as_str().to_owned()));
            }
        }
    };
}

/// What every generated request builder has besides its parameters: `send_with_response`,
/// `send`, the per-request settings (`header`, `query_param`, `timeout`, `max_retries`,
/// `idempotent`, `max_response_bytes`, `total_timeout`) and `IntoFuture`, so that awaiting a
/// builder sends it; list operations also get `items` and `pages`; operations that document
/// error statuses (`errors ErrorEnum`) also get `send_typed`. The builder must have `client:
/// Client` and `options: RequestOptions` fields, `fn parts(&self) -> Result<RequestParts>` and
/// `fn decode(RawResponse) -> Result<ApiResponse<Data>>`; `$op` is its `Operation`.
///
/// Every way of sending returns a [`Call`](crate::runtime::Call) (or, for a page,
/// [`PageCall`](crate::runtime::PageCall)): one future type shared by all operations, which
/// runs the runtime's one send path and then the operation's `decode`, instead of an async
/// function per operation.
macro_rules! request_builder {
    ($builder:ident, $op:ident, returns $data:ty $(, errors $err:ty)?) => {
        impl $builder {
            /// Sends the request and returns the decoded body.
            #[inline]
            pub fn send(self) -> crate::runtime::Call<crate::runtime::Result<$data>> {
                let parts = self.parts();
                crate::runtime::Call::new(self.client, &$op, parts, &self.options, |raw| {
                    raw.and_then(Self::decode).map(crate::runtime::ApiResponse::into_inner)
                })
            }
        }

        $(
            impl $builder {
                /// Sends the request like `send`; an error status the operation documents comes
                /// back as [`OperationError::Documented`](crate::runtime::OperationError::Documented)
                #[doc = concat!("with the body decoded into [`", stringify!($err), "`], any other failure as")]
                /// [`OperationError::Other`](crate::runtime::OperationError::Other).
                // An `OperationError` is as large as the documented error bodies; it is what the
                // caller asked for.
                #[allow(clippy::result_large_err)]
                #[inline]
                pub fn send_typed(
                    self,
                ) -> crate::runtime::Call<::std::result::Result<$data, crate::runtime::OperationError<$err>>> {
                    let parts = self.parts();
                    crate::runtime::Call::new(self.client, &$op, parts, &self.options, |raw| {
                        raw.and_then(Self::decode)
                            .map(crate::runtime::ApiResponse::into_inner)
                            .map_err(crate::runtime::OperationError::from_error)
                    })
                }
            }
        )?
        crate::runtime::request_builder!(
            @common $builder, $op, $data, crate::runtime::Call<crate::runtime::Result<$data>>
        );
    };
    ($builder:ident, $op:ident, pages of $item:ty, data $data:ty $(, errors $err:ty)?) => {
        impl $builder {
            /// Sends the request and returns the page, which can fetch the next one.
            #[inline]
            pub fn send(self) -> crate::runtime::PageCall<Self> {
                crate::runtime::PageCall::new(self, |page| page)
            }

            /// Every item of every page from this one on, fetched lazily one page at a time.
            #[inline]
            pub fn items(self) -> ::futures::stream::BoxStream<'static, crate::runtime::Result<$item>> {
                Box::pin(crate::runtime::items(self))
            }

            /// Every page from this one on, fetched lazily.
            #[inline]
            pub fn pages(
                self,
            ) -> ::futures::stream::BoxStream<'static, crate::runtime::Result<crate::runtime::Page<Self>>> {
                Box::pin(crate::runtime::pages(self))
            }
        }

        $(
            impl $builder {
                /// Sends the request like `send`; an error status the operation documents comes
                /// back as [`OperationError::Documented`](crate::runtime::OperationError::Documented)
                #[doc = concat!("with the body decoded into [`", stringify!($err), "`], any other failure as")]
                /// [`OperationError::Other`](crate::runtime::OperationError::Other).
                // An `OperationError` is as large as the documented error bodies; it is what the
                // caller asked for.
                #[allow(clippy::result_large_err)]
                #[inline]
                pub fn send_typed(
                    self,
                ) -> crate::runtime::PageCall<
                    Self,
                    ::std::result::Result<crate::runtime::Page<Self>, crate::runtime::OperationError<$err>>,
                > {
                    crate::runtime::PageCall::new(self, |page| page.map_err(crate::runtime::OperationError::from_error))
                }
            }
        )?
        crate::runtime::request_builder!(@common $builder, $op, $data, crate::runtime::PageCall<Self>);
    };
    (@common $builder:ident, $op:ident, $data:ty, $future:ty) => {
        impl $builder {
            /// Sends the request and returns the decoded body with the status and headers.
            #[inline]
            pub fn send_with_response(
                self,
            ) -> crate::runtime::Call<crate::runtime::Result<crate::runtime::ApiResponse<$data>>> {
                let parts = self.parts();
                crate::runtime::Call::new(self.client, &$op, parts, &self.options, |raw| raw.and_then(Self::decode))
            }
        }

        impl $builder {
            /// Adds a header to this request; an invalid name or value fails the call before
            /// anything is sent.
            #[inline]
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.options.header(name, value);
                self
            }

            /// Adds a query parameter to this request.
            #[inline]
            pub fn query_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options.query.push((name.into(), value.into()));
                self
            }

            /// Overrides the client's timeout for this request.
            #[inline]
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Overrides the client's retry limit for this request.
            #[inline]
            pub fn max_retries(mut self, max_retries: u32) -> Self {
                self.options.max_retries = Some(max_retries);
                self
            }

            /// Says whether this request is safe to send again once it may have reached the
            /// server (`true`: retried like an idempotent request; `false`: only when the server
            /// asks with 429 or `x-should-retry: true`), instead of the client's rule (see the
            /// runtime's retry documentation).
            #[inline]
            pub fn idempotent(mut self, idempotent: bool) -> Self {
                self.options.idempotent = Some(idempotent);
                self
            }

            /// Overrides the client's response size limit (bytes) for this request.
            #[inline]
            pub fn max_response_bytes(mut self, limit: u64) -> Self {
                self.options.max_response_bytes = Some(limit);
                self
            }

            /// Time allowed for this whole call, all attempts and waits included.
            #[inline]
            pub fn total_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.total_timeout = Some(timeout);
                self
            }
        }

        impl ::std::future::IntoFuture for $builder {
            type Output = <$future as ::std::future::Future>::Output;
            type IntoFuture = $future;

            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    };
}

pub(crate) use {request_builder, string_enum};
