//! The window of rows in view: which positions to put in the DOM, read
//! from where the list sits in the viewport (the page scrolls, not the
//! list, so the phone's own scrolling and address bar behave as usual).

use std::cell::Cell;

use leptos::html::Ul;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Height of one row in CSS pixels; `.case-row` in `styles/list.css` has
/// the same fixed height. Positions are computed, never measured, so a
/// list of 10⁵ rows costs the DOM only the rows in view.
pub const ROW_HEIGHT_PX: f64 = 88.0;

/// Rows rendered above and below the viewport, so a fling or a focus move
/// finds its row already there.
const OVERSCAN_ROWS: usize = 6;

/// Where the list's top is relative to the viewport's top, and the
/// viewport's height, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub top: f64,
    pub height: f64,
}

impl Viewport {
    /// Before the list is measured: as if it started at the top of a
    /// screen-high viewport, so the first rows render at once.
    pub fn initial() -> Viewport {
        Viewport {
            top: 0.0,
            height: inner_height(),
        }
    }
}

/// The positions `start..end` to render for a list of `len` rows.
pub fn visible(v: Viewport, len: usize) -> (usize, usize) {
    if len == 0 || v.height.is_nan() || v.height <= 0.0 {
        return (0, 0);
    }
    let first = ((-v.top).max(0.0) / ROW_HEIGHT_PX).floor() as usize;
    let last = ((v.height - v.top).max(0.0) / ROW_HEIGHT_PX).ceil() as usize;
    let start = first.saturating_sub(OVERSCAN_ROWS).min(len);
    let end = last.saturating_add(OVERSCAN_ROWS).min(len).max(start);
    (start, end)
}

/// Where the list is now, or `None` before it is in the DOM.
pub fn measure(list: NodeRef<Ul>) -> Option<Viewport> {
    let ul = list.try_get_untracked().flatten()?;
    Some(Viewport {
        top: ul.get_bounding_client_rect().top(),
        height: inner_height(),
    })
}

fn inner_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(800.0)
}

pub fn scroll_y() -> f64 {
    web_sys::window()
        .and_then(|w| w.scroll_y().ok())
        .unwrap_or(0.0)
}

pub fn scroll_to(y: f64) {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, y);
    }
}

/// The position of the row holding the event's target.
pub fn row_pos_of(ev: &web_sys::Event) -> Option<usize> {
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("li[data-pos]")
        .ok()??
        .get_attribute("data-pos")?
        .parse()
        .ok()
}

/// Moves the keyboard focus to the row at `pos`, scrolling it into the
/// window first when it is not rendered.
pub fn focus_row(list: NodeRef<Ul>, pos: usize) {
    if focus_rendered(list, pos) {
        return;
    }
    let Some(v) = measure(list) else { return };
    let row_top = scroll_y() + v.top + pos as f64 * ROW_HEIGHT_PX;
    scroll_to((row_top - v.height / 2.0).max(0.0));
    // The scroll event renders the new window (one frame), then focus.
    request_animation_frame(move || {
        request_animation_frame(move || {
            focus_rendered(list, pos);
        })
    });
}

fn focus_rendered(list: NodeRef<Ul>, pos: usize) -> bool {
    let Some(ul) = list.try_get_untracked().flatten() else {
        return false;
    };
    let link = ul
        .query_selector(&format!("li[data-pos=\"{pos}\"] a"))
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    match link {
        Some(link) => link.focus().is_ok(),
        None => false,
    }
}

pub fn focus_by_id(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// `performance.now()`: milliseconds, sub-millisecond precision.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

thread_local! {
    static MARKED: Cell<bool> = const { Cell::new(false) };
}

/// Marks `homeward-list-interactive` in the performance timeline, once per
/// page load: the benchmark reads navigation start → this mark.
pub fn mark_interactive_once() {
    if MARKED.with(|m| m.replace(true)) {
        return;
    }
    crate::browser::mark("homeward-list-interactive");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(top: f64) -> Viewport {
        Viewport { top, height: 844.0 }
    }

    #[test]
    fn renders_the_rows_in_view_and_a_few_more() {
        // The list starts 200 px down the page: rows 0..8 are in view.
        assert_eq!(visible(at(200.0), 100_000), (0, 14));
        // Scrolled to row 1000.
        let (start, end) = visible(at(-1000.0 * ROW_HEIGHT_PX), 100_000);
        assert_eq!((start, end), (994, 1016));
        assert!(end - start < 30);
        // Near and past the end.
        assert_eq!(visible(at(-95.0 * ROW_HEIGHT_PX), 100), (89, 100));
        assert_eq!(visible(at(-500.0 * ROW_HEIGHT_PX), 100), (100, 100));
        assert_eq!(visible(at(0.0), 0), (0, 0));
        assert_eq!(
            visible(
                Viewport {
                    top: 0.0,
                    height: 0.0
                },
                10
            ),
            (0, 0)
        );
    }
}
