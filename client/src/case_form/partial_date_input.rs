//! One text input for a date known to a year, a month or a day.
//!
//! Documenters type dates the way they know them: "2022", "2022-03",
//! "2022-03-14", or the Ukrainian way, "14.03.2022" and "03.2022". All of
//! these are read here into a `PartialDate`; the hint under the input says
//! how the text was read, in the documenter's language, so a day and a
//! month swapped show at once. Text that is not a date stops the save.

use leptos::prelude::*;
use shared::case::Case;
use shared::partial_date::{DateError, PartialDate};

use super::fields::{Field, label_view};
use super::problems::{ProblemKind, field_errors};
use super::state::{Form, next_token};
use crate::i18n::{fmt_partial_date, t};
use crate::tr;

/// Reads typed text as a date: `Ok(None)` when blank.
pub(super) fn parse_typed(text: &str) -> Result<Option<PartialDate>, ProblemKind> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let number = |part: &str, min: usize, max: usize| -> Result<u32, ProblemKind> {
        if (min..=max).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().map_err(|_| ProblemKind::DateUnreadable)
        } else {
            Err(ProblemKind::DateUnreadable)
        }
    };
    // Day first with dots (or slashes, as en-GB writes them); year first
    // with dashes (ISO 8601).
    let day_first = text.contains(['.', '/']);
    let parts: Vec<&str> = if day_first {
        text.split(['.', '/']).collect()
    } else {
        text.split('-').collect()
    };
    let (year, month, day) = match (day_first, parts.as_slice()) {
        (_, [y]) => (number(y, 4, 4)?, None, None),
        (true, [m, y]) => (number(y, 4, 4)?, Some(number(m, 1, 2)?), None),
        (true, [d, m, y]) => (
            number(y, 4, 4)?,
            Some(number(m, 1, 2)?),
            Some(number(d, 1, 2)?),
        ),
        (false, [y, m]) => (number(y, 4, 4)?, Some(number(m, 1, 2)?), None),
        (false, [y, m, d]) => (
            number(y, 4, 4)?,
            Some(number(m, 1, 2)?),
            Some(number(d, 1, 2)?),
        ),
        _ => return Err(ProblemKind::DateUnreadable),
    };
    // The parts have at most four digits, so they fit.
    let year = year as i32;
    let date = match (month, day) {
        (None, _) => PartialDate::year(year),
        (Some(m), None) => PartialDate::month(year, m as u8),
        (Some(m), Some(d)) => PartialDate::full(year, m as u8, d as u8),
    };
    date.map(Some).map_err(|err| match err {
        DateError::Format(_) => ProblemKind::DateUnreadable,
        _ => ProblemKind::DateImpossible,
    })
}

/// The date input for `field`; its hint has the test id `<testid>-hint`.
pub(super) fn partial_date_input(
    form: Form,
    field: Field,
    get: impl FnOnce(&Case) -> Option<PartialDate>,
    set: impl Fn(&mut Case, Option<PartialDate>) + 'static,
) -> impl IntoView {
    let initial = form
        .case
        .with_untracked(get)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let text = RwSignal::new(initial.clone());
    // Problems show once the documenter leaves the input, not while the
    // date is half typed; from then on the hint follows every keystroke.
    let left = RwSignal::new(false);
    let parsed = Memo::new(move |_| text.with(|t| parse_typed(t)));
    let path = field.path().to_owned();
    let token = next_token();
    {
        let path = path.clone();
        on_cleanup(move || form.drop_raw(&path, token));
    }
    let hint = move || match parsed.get() {
        Ok(Some(date)) => (
            false,
            tr!("form-date-read-as", date = fmt_partial_date(&date)),
        ),
        Err(problem) if left.get() => (true, problem.message()),
        Ok(None) | Err(_) => (false, t("form-date-hint")),
    };
    let anchor = path.clone();
    let invalid = path.clone();
    view! {
        <div class="field date" class:invalid=move || form.has_problem(&invalid)>
            {label_view(&field)}
            <input
                type="text"
                id=field.id()
                data-testid=field.testid().to_owned()
                autocomplete="off"
                aria-invalid=move || {
                    let unreadable = left.get() && parsed.with(Result::is_err);
                    (unreadable || form.has_problem(&anchor)).then_some("true")
                }
                aria-describedby=field.described_by(true)
                prop:value=initial
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    let result = parse_typed(&value);
                    text.set(value);
                    match result {
                        Ok(date) => {
                            form.set_raw(&path, token, None);
                            form.edit(|c| set(c, date));
                        }
                        Err(problem) => form.set_raw(&path, token, Some(problem)),
                    }
                }
                on:blur=move |_| left.set(true)
            />
            <p
                class="hint"
                class:hint-problem=move || hint().0
                id=field.hint_id()
                data-testid=format!("{}-hint", field.testid())
            >
                {move || hint().1}
            </p>
            {field_errors(form, field.path().to_owned())}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Option<String>, ProblemKind> {
        parse_typed(text).map(|d| d.map(|d| d.to_string()))
    }

    #[test]
    fn reads_every_accepted_form() {
        let cases = [
            ("", None),
            ("   ", None),
            ("2022", Some("2022")),
            ("2022-03", Some("2022-03")),
            ("2022-3", Some("2022-03")),
            ("2022-03-14", Some("2022-03-14")),
            (" 2022-3-4 ", Some("2022-03-04")),
            ("14.03.2022", Some("2022-03-14")),
            ("4.3.2022", Some("2022-03-04")),
            ("03.2022", Some("2022-03")),
            ("14/03/2022", Some("2022-03-14")),
            ("2022.", None),
        ];
        for (text, expected) in cases {
            match expected {
                Some(date) => assert_eq!(read(text), Ok(Some(date.to_owned())), "{text:?}"),
                None if text.trim().is_empty() => assert_eq!(read(text), Ok(None), "{text:?}"),
                None => assert_eq!(read(text), Err(ProblemKind::DateUnreadable), "{text:?}"),
            }
        }
    }

    #[test]
    fn tells_unreadable_from_impossible() {
        for text in [
            "abc",
            "22",
            "14.03.22",
            "2022-03-14-1",
            "2022/03",
            "1.2.3.2022",
            "март",
        ] {
            assert_eq!(read(text), Err(ProblemKind::DateUnreadable), "{text:?}");
        }
        for text in [
            "31.02.2022",
            "2023-02-29",
            "2022-13",
            "1812",
            "13.2022",
            "0.3.2022",
        ] {
            assert_eq!(read(text), Err(ProblemKind::DateImpossible), "{text:?}");
        }
    }
}
