//! The browser WebSocket to the relay, turned into events for the device
//! loop. Each socket carries a generation number so that events from a
//! socket the loop already gave up on are recognised and ignored.

use futures::channel::mpsc::UnboundedSender;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::device_loop::LoopEvent;

#[derive(Debug)]
pub struct Socket {
    ws: WebSocket,
    // Held so the callbacks live exactly as long as the socket.
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

/// `ws://host/v1/sync` or `wss://…` for the origin the app was served from:
/// the relay serves the app, so the relay is always the page's own origin.
pub fn relay_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/v1/sync", location.host().ok()?))
}

impl Socket {
    pub fn open(
        url: &str,
        generation: u64,
        events: UnboundedSender<LoopEvent>,
    ) -> Result<Socket, String> {
        let ws = WebSocket::new(url).map_err(|e| format!("cannot open {url}: {e:?}"))?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        let tx = events.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            let _ = tx.unbounded_send(LoopEvent::SocketOpened { generation });
        });
        let tx = events.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let event = match ev.data().dyn_into::<ArrayBuffer>() {
                Ok(buf) => LoopEvent::SocketFrame {
                    generation,
                    bytes: Uint8Array::new(&buf).to_vec(),
                },
                // The relay only sends binary frames; anything else is a
                // protocol error the engine reports like any malformed frame.
                Err(_) => LoopEvent::SocketFrame {
                    generation,
                    bytes: Vec::new(),
                },
            };
            let _ = tx.unbounded_send(event);
        });
        let tx = events;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            let reason = if ev.reason().is_empty() {
                format!("connection to the relay closed (code {})", ev.code())
            } else {
                format!("the relay closed the connection: {}", ev.reason())
            };
            let _ = tx.unbounded_send(LoopEvent::SocketClosed { generation, reason });
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    pub fn send(&self, frame: &[u8]) -> Result<(), String> {
        self.ws
            .send_with_u8_array(frame)
            .map_err(|e| format!("sending to the relay failed: {e:?}"))
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Detach first: the callbacks are freed with this struct, and the
        // browser must not call them afterwards.
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
