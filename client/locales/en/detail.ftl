# detail — en
# The case detail screen.

detail-loading = Opening the case…
detail-not-on-device = This case is not on this device. It may arrive with the next sync.
detail-load-failed = The case could not be opened.
detail-no-name = (no name)
detail-no-status = No status recorded
detail-current-status = Current status
detail-pending = { $n ->
    [one] { $n } change waiting to upload
   *[other] { $n } changes waiting to upload
}
detail-conflicts-badge = { $n ->
    [one] { $n } conflict to resolve
   *[other] { $n } conflicts to resolve
}
detail-this-device = this device
detail-unknown-device = unknown device
detail-save-failed = Not saved.
detail-save-invalid = Not saved: please correct the following.
detail-field-problem = { $field }: { $problem }

## Conflicting values

detail-conflicts-title = { $n ->
    [one] { $n } field has conflicting values
   *[other] { $n } fields have conflicting values
}
detail-conflicts-help = Two devices changed these fields at the same time. For each field, choose the value to keep.
detail-conflicts-help-viewer = Two devices changed these fields at the same time. A member who can edit cases has to choose which value to keep.
detail-conflict-empty = (empty)
detail-conflict-written-by = Written by { $who }
detail-conflict-keep = Keep this value
detail-conflict-kept = Value kept: { $field }.

## Priority

detail-priority-title = Priority
detail-priority-score = Score { $score }
detail-priority-no-reasons = No vulnerability recorded.
detail-priority-gaps = Not known yet: to document

## Status timeline

detail-timeline-title = Status timeline
detail-proof-of-life-none = No proof of life recorded.
detail-proof-of-life-days = { $n ->
    [one] { $n } day since the last proof of life
   *[other] { $n } days since the last proof of life
}
detail-proof-of-life-at-least = { $n ->
    [one] At least { $n } day since the last proof of life
   *[other] At least { $n } days since the last proof of life
}
detail-proof-of-life-date = Last proof of life: { $date }
detail-event-undated = Date unknown
detail-event-source = Source
detail-event-reliability = Reliability
detail-event-recorded = Recorded by { $who }, { $when }
detail-event-recorded-by = Recorded by { $who }
detail-add-status = Add a status change
detail-status-new-status = New status
detail-status-new-date = Date
detail-status-date-hint = A year, a month or a full date: 2022, 2022-03 or 2022-03-14. Leave it empty if unknown.
detail-status-date-invalid = Enter the date as 2022, 2022-03 or 2022-03-14.
detail-status-new-source = Source of the information
detail-status-new-reliability = Reliability
detail-status-save = Add
detail-status-saved = Status change added.

## Sections

detail-section-identity = Identity
detail-section-category = Category details
detail-section-detention = Deprivation of liberty
detail-section-health = Health and vulnerability
detail-section-family = Family and consent
detail-section-sources = Sources
detail-section-interventions = Interventions
detail-section-notes = Notes
detail-none-recorded = None recorded.
detail-not-recorded = not recorded
detail-hidden = hidden
detail-show-sensitive = Show sensitive details
detail-hide-sensitive = Hide sensitive details
detail-approx-age = { $age ->
    [one] About { $age } year old
   *[other] About { $age } years old
}
detail-approx-age-on = { $age ->
    [one] About { $age } year old (as of { $date })
   *[other] About { $age } years old (as of { $date })
}
detail-episode = Episode { $n }
detail-whereabouts-ladder = Whereabouts and contact
detail-facility-admitted = admitted { $date }
detail-facility-transferred = transferred { $date }
detail-health-noted = noted { $date }
detail-to-inform = Contact for news
detail-consent = Consent to share with
detail-consent-granted = agreed
detail-consent-not-granted = not agreed
detail-source-confidential = Confidential
detail-attachments = { $n ->
    [one] { $n } attachment
   *[other] { $n } attachments
}
detail-in-release-list = In a release list

## Change history

detail-history-title = Change history
detail-history-empty = No changes recorded.
detail-history-no-fields = No fields changed.
detail-history-more-fields = +{ $n } more
detail-history-show-all = { $n ->
    [one] Show { $n } change
   *[other] Show all { $n } changes
}
detail-history-show-recent = Show only recent changes
