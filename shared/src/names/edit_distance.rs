//! A bounded Damerau–Levenshtein distance (optimal string alignment: one
//! insertion, deletion, substitution or transposition of two adjacent
//! symbols costs 1, and no substring is edited twice) over search keys.
//!
//! It runs in O(|a|·|b|) time on three rows kept on the stack (keys are at
//! most [`MAX_KEY_LEN`] bytes), allocates nothing, and gives up as soon as a
//! whole row exceeds the bound.

use super::search_keys::MAX_KEY_LEN;

const WIDTH: usize = MAX_KEY_LEN + 1;

/// The distance between `a` and `b` if it is at most `max`. Keys longer than
/// [`MAX_KEY_LEN`] never match.
pub(crate) fn within(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max || n >= WIDTH || m >= WIDTH {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    let mut before = [0u8; WIDTH];
    let mut prev = [0u8; WIDTH];
    let mut cur = [0u8; WIDTH];
    for (j, cell) in prev.iter_mut().enumerate().take(m + 1) {
        *cell = j as u8;
    }
    for i in 1..=n {
        cur[0] = i as u8;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if usize::from(row_min) > max {
            return None;
        }
        before = prev;
        prev = cur;
    }
    let d = usize::from(prev[m]);
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> Option<usize> {
        within(a.as_bytes(), b.as_bytes(), 3)
    }

    #[test]
    fn distances() {
        assert_eq!(d("kovalenko", "kovalenko"), Some(0));
        assert_eq!(d("kovalneko", "kovalenko"), Some(1)); // transposition
        assert_eq!(d("kovalenk", "kovalenko"), Some(1)); // deletion
        assert_eq!(d("kovalenkoo", "kovalenko"), Some(1)); // insertion
        assert_eq!(d("kobalenko", "kovalenko"), Some(1)); // substitution
        assert_eq!(d("okvalnekp", "kovalenko"), Some(3));
        assert_eq!(d("ca", "abc"), Some(3)); // OSA, not unrestricted DL (2)
        assert_eq!(d("", "abc"), Some(3));
        assert_eq!(d("abc", ""), Some(3));
        assert_eq!(d("SevCenko", "SevCuk"), Some(3));
        assert_eq!(within(b"SevCenko", b"SevCuk", 2), None);
    }

    #[test]
    fn bound_is_respected() {
        assert_eq!(within(b"abcd", b"abdc", 0), None);
        assert_eq!(within(b"abcd", b"abdc", 1), Some(1));
        assert_eq!(within(b"abcdef", b"ab", 2), None);
        assert_eq!(within(b"kovalenko", b"xyzalenko", 2), None);
        let long = [b'a'; MAX_KEY_LEN + 1];
        assert_eq!(within(&long, &long, 2), None);
        let max = [b'a'; MAX_KEY_LEN];
        assert_eq!(within(&max, &max, 2), Some(0));
    }
}
