//! One adapter per provider: the mapping from its types to the normalized
//! models, written once and tested field by field.

#[cfg(feature = "chatapi")]
pub(crate) mod chatapi;
#[cfg(feature = "tawk")]
pub(crate) mod tawk;
#[cfg(feature = "tomticket")]
pub(crate) mod tomticket;
