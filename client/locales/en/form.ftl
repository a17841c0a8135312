# The case form: a new case, or editing one.
form-title-new = New case
form-title-edit = Edit case
form-loading = Opening the case…
form-save = Save case
form-saving = Saving…
form-required = (required)

# The minimum record, at the top.
form-section-minimum = Minimum record
form-minimum-hint = Enough to save the case during an interview. Everything below can be added later.
form-section-record = Record management
form-section-items = { $n ->
    [one] { $n } entry
   *[other] { $n } entries
}
form-section-problems = { $n ->
    [one] { $n } problem
   *[other] { $n } problems
}

# Drafts kept while typing.
form-draft-restored = What you typed before the interruption is back. It is not saved in the case until you press Save.
form-draft-discard = Discard draft

# Problems that stop a save.
form-problems-title = { $n ->
    [one] The case was not saved: { $n } problem to fix
   *[other] The case was not saved: { $n } problems to fix
}
form-problem-item = { $field }: { $message }

# Dates known to a year, a month or a day.
form-date-hint = Year, month or day: 2022, 2022-03, 2022-03-14 or 14.03.2022
form-date-read-as = Read as: { $date }
form-date-unreadable = This is not a date. Write 2022, 2022-03, 2022-03-14 or 14.03.2022.
form-date-impossible = There is no such date (years 1900–2100).
form-date-unknown = Date unknown
form-number-invalid = Enter a whole number.

# Hints under single fields.
form-age-hint = Only if the date of birth is unknown. Without the date of the estimate, today is used.
form-citizenships-hint = Two-letter country codes, separated by commas: UA, PL
form-photo-hint = SHA-256 of the photo file: 64 characters, 0–9 and a–f.
form-documents-hint = Document numbers are sensitive: they are never exported without the family's consent.
form-contact-hint = Phone, address or messenger. Sensitive: shared only as the family agreed.

# Lists.
form-add-alias = Add another name
form-alias-item = Name { $n }
form-add-document = Add a document
form-document-item = Document { $n }
form-add-detention = Add an episode
form-detention-item = Episode { $n }
form-ladder = Acknowledgement, whereabouts and contact
form-add-facility = Add a place of detention
form-facility-item = Place { $n }
form-add-family = Add a family contact
form-family-item = Contact { $n }
form-add-source = Add a source
form-source-item = Source { $n }
form-attachments = { $n ->
    [one] { $n } attached file
   *[other] { $n } attached files
}
form-add-intervention = Add an intervention
form-intervention-item = Intervention { $n }

# The status timeline.
form-timeline-first = The status chosen in the minimum record becomes the first event of the timeline. Add when it was known and from whom, if you can.
form-timeline-readonly = Recorded events cannot be changed. Add a new status on the case screen.
form-timeline-empty = No status recorded yet
form-status-elsewhere = Add a new status on the case screen.
