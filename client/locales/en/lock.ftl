# lock — en
# The lock screens, the lock settings, joining through an invite link, and
# the device's own problems (vault, storage) as the lock screens show them.

## First run

lock-setup-title = Protect this device
lock-setup-hint = Choose a passphrase: it encrypts every case on this device, and the app asks for it whenever it opens or locks itself. Four or more random words are best. It cannot be recovered: if it is forgotten, the cases on this device are lost (other members' devices and the relay keep theirs).
lock-passphrase = Passphrase
lock-passphrase-again = The same passphrase again
lock-setup-submit = Protect this device
lock-strength-too-weak = Too weak: use at least 10 characters
lock-strength-weak = Weak: add more words
lock-strength-fair = Fair: one or two more words make it strong
lock-strength-strong = Strong
lock-invite-waiting-setup = You opened an invite link. Set a passphrase first; then this device joins the workspace.
lock-invite-waiting-unlock = You opened an invite link. Unlock first; then this device joins the workspace.
lock-busy-securing = Securing this device… this takes a few seconds.
lock-busy-unlocking = Unlocking…
lock-error-already-set-up = This device is already set up: unlock it instead.
lock-error-too-weak = This passphrase is too weak: use at least 10 characters, best four or more random words.
lock-error-mismatch = The two passphrases are not the same: type it again in both fields.

## Unlock

lock-unlock-title = Locked
lock-unlock-submit = Unlock
lock-unlock-wrong = Wrong passphrase — { $attempt } of { $max ->
    [one] { $max } attempt
   *[other] { $max } attempts
} used.
lock-unlock-last-chance = One more wrong passphrase erases this device.
lock-lock-now = Lock

## Erasing the device

lock-wipe = Erase this device
lock-wipe-warning = Erase every case, key and setting on this device? Cases not yet uploaded are lost. This cannot be undone.
lock-wipe-confirm = Erase now
lock-wipe-cancel = Keep the data
lock-wiped-on-request = This device was erased: its cases, keys and settings are gone.
lock-wiped-too-many = Too many wrong passphrases: this device erased its cases and keys. Set a new passphrase, then open an invite link to sync the cases again.

## Lock settings and the settings page

lock-panel-title = Lock and erase
lock-idle-minutes-label = Lock after this many minutes without use
lock-max-failures-label = Erase this device after this many wrong passphrases in a row
lock-settings-save = Save settings
lock-settings-saved = Settings saved.
lock-settings-idle-invalid = Lock after: enter a whole number of minutes from { $min } to { $max }.
lock-settings-max-invalid = Erase after: enter a whole number of attempts from { $min } to { $max }.
lock-about-title = About
lock-about-device = This device's id
lock-about-device-hint = Tell your coordinator this id when they ask which device this is.
lock-about-version = App version

## Joining a workspace

lock-join-starting = Joining the workspace…
lock-join-progress = Joining the workspace: downloading its cases, { $done } of { $total }
lock-join-no-key-in-link = This invite link has no workspace key (it was made by an older version of Homeward), so this device could not read the workspace's cases. Ask your coordinator for a new invite link.
lock-join-different-key = This invite link carries a different key for the workspace this device already belongs to, so it was not used. Ask your coordinator for a new invite link.
lock-join-store-failed = { $reason } Open the invite link again.
lock-join-no-workspace-key = This device holds no key for its workspace, so it cannot sync. Ask your coordinator for a new invite link and open it on this device.
lock-other-workspace = This device already belongs to workspace { $workspace }; an invite to another workspace needs another browser profile or device.
lock-invite-no-join = This is not an invite link: it has no "#join=" part.
lock-invite-bad-origin = The invite link's address is not an http(s) address.
lock-invite-damaged = The invite link is damaged: copy it again in full.
lock-invite-newer = The invite link was made by a newer version of Homeward; update this app.

## The vault and the device's storage

lock-vault-wrong-passphrase = Wrong passphrase.
lock-vault-damaged = The vault stored on this device is damaged.
lock-vault-newer = The vault was written by a newer version of Homeward; update the app.
lock-vault-kdf = The vault's key settings are invalid.
lock-vault-record-damaged = A stored record does not open with this device's key: it was altered or copied from elsewhere.
lock-vault-unreadable = { $reason } Erasing this device (below) lets it start again.
lock-storage-unavailable = This browser does not let the app store data (private mode, or storage turned off?): { $detail }
lock-storage-write-failed = The device's storage refused the write ({ $detail }); free some space or export a backup, then try again.
lock-storage-read-failed = Reading from the device's storage failed: { $detail }
lock-storage-corrupt = Something stored on this device is damaged and was skipped.
lock-storage-wipe-failed = Erasing the device's storage failed: { $detail }
