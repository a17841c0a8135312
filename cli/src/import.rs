//! Reading a file of cases for `homeward push`: a JSON array of
//! `shared::case::Case`. Every element is read and validated before
//! anything is stored, and an error names the element.

use shared::case::Case;
use shared::case_validation::validate;
use shared::partial_date::Date;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    #[error("the file must hold a JSON array of cases, but it holds {0}")]
    NotArray(&'static str),
    #[error("the file holds no cases")]
    Empty,
    #[error("element {index} (counting from 0) is not a case: {reason}")]
    NotACase { index: usize, reason: String },
    #[error("element {index} (counting from 0) is not a valid case: {errors}")]
    Invalid { index: usize, errors: String },
}

/// Reads and validates every case in `json`.
pub fn parse_cases(json: &str, today: Date) -> Result<Vec<Case>, ImportError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(ImportError::NotJson)?;
    let elements = match value {
        serde_json::Value::Array(elements) => elements,
        serde_json::Value::Object(_) => return Err(ImportError::NotArray("one object")),
        serde_json::Value::Null => return Err(ImportError::NotArray("null")),
        serde_json::Value::Bool(_) => return Err(ImportError::NotArray("a boolean")),
        serde_json::Value::Number(_) => return Err(ImportError::NotArray("a number")),
        serde_json::Value::String(_) => return Err(ImportError::NotArray("a string")),
    };
    if elements.is_empty() {
        return Err(ImportError::Empty);
    }
    elements
        .into_iter()
        .enumerate()
        .map(|(index, element)| {
            let case: Case =
                serde_json::from_value(element).map_err(|e| ImportError::NotACase {
                    index,
                    reason: e.to_string(),
                })?;
            // Validation errors name fields and codes, never values.
            validate(&case, today).map_err(|errors| ImportError::Invalid {
                index,
                errors: errors.to_string(),
            })?;
            Ok(case)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::synthetic::generate;

    fn today() -> Date {
        Date::new(2026, 6, 1).unwrap()
    }

    #[test]
    fn synthetic_cases_round_trip_through_json() {
        let cases: Vec<Case> = generate(3, 5, today()).collect();
        let json = serde_json::to_string(&cases).unwrap();
        assert_eq!(parse_cases(&json, today()).unwrap(), cases);
    }

    #[test]
    fn errors_name_the_bad_element() {
        let mut cases: Vec<serde_json::Value> = generate(3, 3, today())
            .map(|c| serde_json::to_value(c).unwrap())
            .collect();
        cases[1]["identity"]["surname"] = serde_json::Value::from("");
        let err = parse_cases(&serde_json::to_string(&cases).unwrap(), today()).unwrap_err();
        assert!(
            matches!(err, ImportError::Invalid { index: 1, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("identity.surname"), "{err}");

        cases[1] = serde_json::json!({"identity": 3});
        let err = parse_cases(&serde_json::to_string(&cases).unwrap(), today()).unwrap_err();
        assert!(
            matches!(err, ImportError::NotACase { index: 1, .. }),
            "{err}"
        );

        assert!(matches!(
            parse_cases("{\"a\": 1}", today()),
            Err(ImportError::NotArray(_))
        ));
        assert!(matches!(
            parse_cases("[", today()),
            Err(ImportError::NotJson(_))
        ));
        assert!(matches!(
            parse_cases("[]", today()),
            Err(ImportError::Empty)
        ));
    }
}
