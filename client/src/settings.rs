//! The device's lock settings: how long without input before the app locks,
//! and how many wrong passphrases in a row erase the device.
//!
//! Neither is sensitive, so both are kept in plain storage. The
//! authoritative copy is in IndexedDB's `vault` store (next to the
//! failed-unlock counter, see `storage`); localStorage holds a mirror and
//! may *preset* them before the first start (`homeward.idleLockMinutes`,
//! `homeward.maxFailedUnlocks`, used by the end-to-end tests). A preset can
//! only lower the failure limit, never raise it: whoever holds a locked
//! device can write localStorage from the developer tools, and must not buy
//! themselves more guesses that way.

use wasm_bindgen::JsValue;

use crate::tr;

pub const LS_IDLE_LOCK_MINUTES: &str = "homeward.idleLockMinutes";
pub const LS_MAX_FAILED_UNLOCKS: &str = "homeward.maxFailedUnlocks";
/// Every localStorage key the app owns starts with this.
const LS_PREFIX: &str = "homeward.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Minutes without input before the app locks itself.
    pub idle_lock_minutes: u32,
    /// Wrong passphrases in a row that erase this device.
    pub max_failed_unlocks: u32,
}

impl Settings {
    pub const DEFAULT: Settings = Settings {
        idle_lock_minutes: 5,
        max_failed_unlocks: 10,
    };
    pub const IDLE_RANGE: std::ops::RangeInclusive<u32> = 1..=1440;
    /// At least 3: one typo must never erase a documenter's cases.
    pub const MAX_FAILURES_RANGE: std::ops::RangeInclusive<u32> = 3..=100;

    /// Checks values typed into the settings form; a refusal is a sentence
    /// in the current language.
    pub fn parse(idle_lock_minutes: &str, max_failed_unlocks: &str) -> Result<Settings, String> {
        let (lo, hi) = (*Self::IDLE_RANGE.start(), *Self::IDLE_RANGE.end());
        let idle = idle_lock_minutes
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|v| Self::IDLE_RANGE.contains(v))
            .ok_or_else(|| tr!("lock-settings-idle-invalid", min = lo, max = hi))?;
        let (lo, hi) = (
            *Self::MAX_FAILURES_RANGE.start(),
            *Self::MAX_FAILURES_RANGE.end(),
        );
        let max = max_failed_unlocks
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|v| Self::MAX_FAILURES_RANGE.contains(v))
            .ok_or_else(|| tr!("lock-settings-max-invalid", min = lo, max = hi))?;
        Ok(Settings {
            idle_lock_minutes: idle,
            max_failed_unlocks: max,
        })
    }

    /// The settings in force, from what IndexedDB holds (`None` before the
    /// first save) and the localStorage presets.
    pub fn effective(stored: Option<Settings>, presets: Presets) -> Settings {
        let clamp_idle = |v: u32| v.clamp(*Self::IDLE_RANGE.start(), *Self::IDLE_RANGE.end());
        let clamp_max = |v: u32| {
            v.clamp(
                *Self::MAX_FAILURES_RANGE.start(),
                *Self::MAX_FAILURES_RANGE.end(),
            )
        };
        let base = stored.unwrap_or(Settings {
            idle_lock_minutes: presets
                .idle_lock_minutes
                .unwrap_or(Self::DEFAULT.idle_lock_minutes),
            ..Self::DEFAULT
        });
        let max = match presets.max_failed_unlocks {
            Some(preset) => base.max_failed_unlocks.min(preset),
            None => base.max_failed_unlocks,
        };
        Settings {
            idle_lock_minutes: clamp_idle(base.idle_lock_minutes),
            max_failed_unlocks: clamp_max(max),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::DEFAULT
    }
}

/// Values found in localStorage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presets {
    pub idle_lock_minutes: Option<u32>,
    pub max_failed_unlocks: Option<u32>,
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn read_presets() -> Presets {
    let Some(ls) = local_storage() else {
        return Presets::default();
    };
    let number = |key: &str| {
        ls.get_item(key)
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<u32>().ok())
    };
    Presets {
        idle_lock_minutes: number(LS_IDLE_LOCK_MINUTES),
        max_failed_unlocks: number(LS_MAX_FAILED_UNLOCKS),
    }
}

/// Mirrors saved settings into localStorage, so a preset left there never
/// lowers what the documenter chose.
pub fn write_presets(settings: Settings) {
    let Some(ls) = local_storage() else {
        return;
    };
    let _ = ls.set_item(
        LS_IDLE_LOCK_MINUTES,
        &settings.idle_lock_minutes.to_string(),
    );
    let _ = ls.set_item(
        LS_MAX_FAILED_UNLOCKS,
        &settings.max_failed_unlocks.to_string(),
    );
}

/// Removes every localStorage key the app owns (wiping the device).
pub fn clear_local() {
    let Some(ls) = local_storage() else {
        return;
    };
    let len = ls.length().unwrap_or(0);
    let ours: Vec<String> = (0..len)
        .filter_map(|i| ls.key(i).ok().flatten())
        .filter(|k| k.starts_with(LS_PREFIX))
        .collect();
    for key in ours {
        if ls.remove_item(&key).is_err() {
            tracing::warn!("could not remove a setting from localStorage");
        }
    }
}

/// A settings value as IndexedDB stores it (a plain number).
pub(crate) fn to_js(v: u32) -> JsValue {
    JsValue::from_f64(f64::from(v))
}

pub(crate) fn from_js(v: &JsValue) -> Option<u32> {
    v.as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32)
}
