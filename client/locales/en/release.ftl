# release — en
release-title = Release list
release-intro = Choose the cases and who the list is for, preview it, then export it. Each export is noted in every case it contains.
release-categories = Categories
release-categories-hint = None ticked: every category.
release-statuses = Current status
release-statuses-hint = None ticked: everyone still missing or held, and cases with no status yet.
release-tiers = Priority tier
release-tiers-hint = None ticked: every tier.
release-profile = Who the list is for
release-profile-icrc = ICRC (Central Tracing Agency)
release-profile-icrc-hint = Every chosen case, strictly confidential ones too, with identity documents and service numbers: the Agency receives detainees' identities by treaty and keeps them confidential. Never family contacts, notes or sources.
release-profile-negotiators = Negotiators (Coordination Headquarters)
release-profile-negotiators-hint = Only cases where a relative agreed to sharing with negotiators. No document or service numbers; strictly confidential cases are left out.
release-profile-public_campaign = Public campaign
release-profile-public_campaign-hint = Only cases where a relative agreed to publication, and only the name, year of birth or age, oblast, category, status, priority and month seized. Nothing that locates the person or the family.
release-count = { $n ->
    [0] No cases chosen
    [one] { $n } case chosen
   *[other] { $n } cases chosen
}
release-preview = Preview
release-loading = { $n ->
    [one] Loading { $n } case…
   *[other] Loading { $n } cases…
}
release-load-failed = The cases could not be loaded: { $error }
release-preview-title = { $n ->
    [one] { $profile }: { $n } case on the list
   *[other] { $profile }: { $n } cases on the list
}
release-excluded-consent = { $n ->
    [one] { $n } case left out: no relative agreed to sharing with this recipient.
   *[other] { $n } cases left out: no relative agreed to sharing with this recipient.
}
release-excluded-confidential = { $n ->
    [one] { $n } case left out: strictly confidential.
   *[other] { $n } cases left out: strictly confidential.
}
release-excluded-none = None of the chosen cases was left out.
release-preview-empty = None of the chosen cases may go to this recipient.
release-preview-more = Showing the first { $shown } of { $n }; the files and the printout hold them all.
release-actions = Export
release-export-csv = Download CSV
release-export-json = Download JSON
release-print = Print
release-noting = Noting the export in the cases…
release-recorded = { $n ->
    [one] Export noted in { $n } case.
   *[other] Export noted in { $n } cases.
}
release-not-recorded = This device has the viewer role: the export was made but could not be noted in the cases. Ask a documenter to note it.
release-record-failed = The export was made, but noting it in the cases failed: { $error }
release-file-failed = This browser could not make the file or open printing.
release-print-title = Homeward release list — { $profile } — { $date }
release-print-count = { $n ->
    [one] { $n } case, most urgent first
   *[other] { $n } cases, most urgent first
}
release-col-rank = No.
release-col-case_id = Case ID
release-col-name = Name
release-col-name_latin = Name (Latin)
release-col-sex = Sex
release-col-birth_date = Date of birth
release-col-birth_year = Year of birth
release-col-approx_age = Approximate age
release-col-citizenship = Citizenship
release-col-oblast = Oblast
release-col-category = Category
release-col-status = Status
release-col-tier = Priority
release-col-reasons = Reasons for priority
release-col-seized_on = Date seized
release-col-place_seized = Place seized
release-col-authority = Detaining authority
release-col-facility = Last known place of detention
release-col-pow_rank = Military rank
release-col-pow_unit = Unit
release-col-pow_service_number = Service number
release-col-documents = Identity documents
release-col-days_since_proof_of_life = Days since last proof of life
release-col-family_consent_icrc = Family consent (ICRC)
