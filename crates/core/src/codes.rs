//! Closed code lists (roles, kinds, channels, ...): one macro so that each list
//! has the same code, Dutch label, parsing and serde behaviour.

/// Declares an enum whose variants have a stable snake_case code (stored in
/// the database, used in the API) and a Dutch label (shown on pages).
macro_rules! code_list {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($field:literal) {
        $($variant:ident = $code:literal, $label:literal;)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        $vis enum $name { $(#[serde(rename = $code)] $variant),+ }

        // Written out rather than derived: utoipa's derive does not read a `rename` whose value comes
        // through a macro, and listed "QuestionsPer1000" where the API sends "questions_per_1000".
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as stored and as used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Dutch label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::ValidationError::new(
                        $field,
                        format!("Onbekende waarde '{s}'. Kies uit: {}.",
                            Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")),
                    ))
            }
        }
    };
}
pub(crate) use code_list;

#[cfg(test)]
mod tests {
    code_list! {
        enum Colour ("colour") {
            Red = "red", "Rood";
            DarkBlue = "dark_blue", "Donkerblauw";
        }
    }

    #[test]
    fn codes_roundtrip_and_reject_unknown() {
        for c in Colour::ALL {
            assert_eq!(c.as_str().parse::<Colour>().unwrap(), *c);
            assert_eq!(
                serde_json::to_string(c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
        }
        let err = "green".parse::<Colour>().unwrap_err();
        assert_eq!(err.field, "colour");
        assert!(err.message.contains("red, dark_blue"));
        assert_eq!(Colour::DarkBlue.label(), "Donkerblauw");
    }
}
