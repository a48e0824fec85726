//! The public surface of each provider crate: one `Error` (supportkit's) at
//! the root and in the prelude, and a prelude that is enough to call, stream
//! and page. These are compile-time facts; the tests only have to build.

macro_rules! one_door {
    ($name:ident, $krate:ident, $list:ident) => {
        #[test]
        fn $name() {
            use $krate::prelude::*;

            // The root's `Error` and the prelude's are the runtime's, not progenitor's `Error<E>`.
            fn root(e: $krate::Error) -> supportkit_runtime::Error {
                e
            }
            fn prelude(e: Error) -> supportkit_runtime::Error {
                e
            }
            // `Client`, `OperationExt` and `PaginateExt` come with the prelude alone.
            #[allow(dead_code)]
            fn calls(client: &Client) {
                let _call = client.$list().call();
                let _stream = client.$list().stream();
                let _pages = client.$list().pages();
            }
            let _ = (root, prelude, calls);
        }
    };
}

one_door!(chatapi_has_one_door, supportkit_chatapi, list_users);
one_door!(tomticket_has_one_door, supportkit_tomticket, customer_list);
one_door!(tawk_has_one_door, supportkit_tawk, ticket_list);
