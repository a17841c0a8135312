//! Randomness from the browser's CSPRNG (`crypto.getRandomValues`), as the
//! `RngCore` the shared crate takes. Used for ids and reconnect jitter.

use rand_core::RngCore;

#[derive(Debug, Default)]
pub struct BrowserRng;

impl RngCore for BrowserRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        let crypto = web_sys::window().and_then(|w| w.crypto().ok());
        // getRandomValues fills at most 65,536 bytes per call.
        for chunk in dst.chunks_mut(65_536) {
            let filled = crypto
                .as_ref()
                .map(|c| c.get_random_values_with_u8_array(chunk).is_ok())
                .unwrap_or(false);
            // Every browser that runs WebAssembly has crypto.getRandomValues;
            // ids drawn without it would not be unique, so stop here.
            assert!(filled, "crypto.getRandomValues is unavailable");
        }
    }
}
