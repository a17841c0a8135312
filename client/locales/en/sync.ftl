# sync — en
# The top bar's sync line, the sync screen, storage and backup files.

## Connection

sync-connection-online = Online
sync-connection-connecting = Connecting…
sync-connection-waiting = Relay unreachable, retrying
sync-connection-refused = Refused by the relay
sync-connection-not-joined = Not in a workspace
sync-connection-not-connected = Not connected
sync-connection-offline = Offline
sync-badge-pending = { $n ->
    [one] { $n } change to upload
   *[other] { $n } changes to upload
}
sync-badge-downloading = downloading cases…

## Refusals: what happened and what to do

sync-refused-revoked = A coordinator removed this device from the workspace. It no longer syncs; the cases on it stay here. Ask your coordinator what to do next.
sync-refused-not-member = The relay does not know this device as a member of the workspace. Ask your coordinator for a new invite link and open it on this device.
sync-refused-bad-ticket = This invite link was already used, has expired or is not valid. Ask your coordinator for a new invite link and open it on this device.
sync-refused-unauthenticated = The relay could not verify this device. Check that the device's clock is right, then reload the app; if it happens again, tell your coordinator.
sync-refused-bad-signature = The relay refused an upload from this device because its signature did not verify. Reload the app; if it happens again, tell your coordinator.
sync-refused-unsupported-version = This app and the relay are different versions. Reload the app to update it; if that does not help, tell your coordinator.
sync-refused-other = The relay refused this device. Reload the app; if it happens again, tell your coordinator.

## The sync screen

sync-title = Sync and storage
sync-connection-heading = Connection
sync-status-label = Status
sync-pending-label = Waiting to upload
sync-pending-none = Nothing: all changes are uploaded
sync-pending-count = { $n ->
    [one] { $n } change
   *[other] { $n } changes
}
sync-last-label = Last sync
sync-last-never = Not synced yet
sync-role-label = Role
sync-role-admin = Administrator
sync-role-documenter = Documenter
sync-role-viewer = Viewer (read only)
sync-role-unknown = Not known yet
sync-position-label = Position in the workspace's log
sync-position-value = { $cursor } of { $head }
sync-bootstrap-preparing = Preparing to download the workspace's cases…
sync-bootstrap-progress = Downloading the workspace's cases: { $done } of { $total }
sync-catch-up = { $n ->
    [one] Downloading changes: { $n } entry left
   *[other] Downloading changes: { $n } entries left
}
sync-quarantined = { $n ->
    [one] { $n } entry could not be opened and was set aside. Tell your coordinator.
   *[other] { $n } entries could not be opened and were set aside. Tell your coordinator.
}
sync-last-problem = Last problem:

## Storage

sync-storage-heading = Storage on this device
sync-storage-used = { $used } MB used of { $quota } MB the browser allows
sync-storage-meter = Storage used
sync-storage-unknown = This browser does not tell how much space the app uses.
sync-persisted-yes = This browser keeps the app's data until you remove it.
sync-persisted-no = The browser may delete the app's data from this device when space runs low; cases not yet uploaded would be lost.
sync-persisted-unsupported = This browser cannot be asked to keep the app's data. Keep a recent backup file.
sync-persist-button = Keep data on this device
sync-persist-asking = Asking the browser…
sync-persist-declined = The browser did not agree. Browsers agree more readily for an app installed on the home screen or used often; until then, keep a recent backup file.

## Eviction

sync-evicted-title = The data on this device was removed
sync-evicted-what = The browser deleted what this app stored on this device — its cases, keys and settings — most likely to free space. Cases that were uploaded are safe on the relay.
sync-evicted-recover = To get them back: set a new passphrase, then open a new invite link from your coordinator; the workspace's cases download from the relay. Then restore your latest backup file on the Sync screen for anything that was not uploaded.
sync-evicted-prevent = To keep this from happening again, press “Keep data on this device” on the Sync screen, and install the app on the home screen.
sync-evicted-dismiss = Understood

## Backup file

sync-backup-heading = Backup file
sync-backup-intro = A backup file holds every case on this device, encrypted with a passphrase you choose for it. Keep it somewhere safe, away from this device. It can be restored on any device of the workspace; what it holds is merged, nothing is overwritten.
sync-backup-export-heading = Make a backup
sync-backup-passphrase = Passphrase for the backup
sync-backup-passphrase-hint = At least 10 characters; four or more random words are best. Without this passphrase nobody can open the file, not even you.
sync-backup-passphrase-confirm = The same passphrase again
sync-backup-export = Export backup
sync-backup-encrypting = Encrypting the backup…
sync-backup-exported = { $n ->
    [one] Backup saved: { $n } case in { $file }. Keep the passphrase safe: the file cannot be opened without it.
   *[other] Backup saved: { $n } cases in { $file }. Keep the passphrase safe: the file cannot be opened without it.
}
sync-backup-download-failed = the browser did not save the file
sync-backup-restore-heading = Restore a backup
sync-backup-file = Backup file (.hwbk)
sync-backup-restore-passphrase = Passphrase of the backup
sync-backup-restore = Restore backup
sync-backup-decrypting = Opening the backup…
sync-backup-restored = { $n ->
    [one] Backup of { $date }: { $n } case restored or updated.
   *[other] Backup of { $date }: { $n } cases restored or updated.
}
sync-backup-restored-none = Backup of { $date }: this device already had everything in it.
sync-backup-restore-viewer = This device has the viewer role: it cannot restore a backup.
sync-backup-restore-not-joined = Join the workspace first (open an invite link from your coordinator), then restore the backup.
sync-backup-error-empty = Type the passphrase first.
sync-backup-error-mismatch = The two passphrases are not the same: type it again in both fields.
sync-backup-error-weak = This passphrase is too easy to guess for a file that leaves the device: use at least 10 characters, best four or more random words.
sync-backup-error-no-file = Choose a backup file first.
sync-backup-error-not-backup = This file is not a Homeward backup: choose a .hwbk file made with “Export backup”. Nothing was changed.
sync-backup-error-newer = This backup was made by a newer version of Homeward: update the app, then restore it. Nothing was changed.
sync-backup-error-damaged = This backup file is damaged: use another copy of it. Nothing was changed.
sync-backup-error-wrong-passphrase = The passphrase does not open this backup, or the file was altered. Type the passphrase chosen when the backup was made. Nothing was changed.
sync-backup-error-other-workspace = This backup belongs to another workspace, so it was not restored. Nothing was changed.
sync-backup-error-read = The file could not be read. Choose it again. Nothing was changed.
sync-backup-error-export = The backup could not be made ({ $reason }). Try again; if it happens again, reload the app.
sync-backup-error-import = The backup opened, but its cases could not be stored ({ $reason }). Try again; if it happens again, reload the app.
sync-backup-choose = Choose a file
sync-backup-no-file = No file chosen
