# model — the case model's vocabulary, looked up by client/src/labels.rs
# from the stable keys in shared (case.rs, priority.rs, case_validation.rs).

## Category: why the person is documented

category-civilian_detainee = Civilian detainee or hostage
category-prisoner_of_war = Prisoner of war
category-political_prisoner = Political prisoner
category-deported_child = Deported or forcibly transferred child
category-missing = Missing person

## Status in the timeline

status-missing = Missing
status-detained_unacknowledged = Detained, not acknowledged
status-detained_acknowledged = Detained, acknowledged
status-charged = Charged
status-sentenced = Sentenced
status-released = Released
status-exchanged = Exchanged
status-returned_home = Returned home
status-deceased = Deceased
status-escaped = Escaped

## Sex

sex-unknown = Not known
sex-female = Female
sex-male = Male

## Identity documents

document-passport = Passport for foreign travel
document-internal_passport = Internal passport
document-id_card = ID card
document-birth_certificate = Birth certificate
document-military_id = Military ID
document-tax_number = Tax number
document-other = Other document

## The whereabouts ladder

capture-unknown = Not known
capture-denied = Detention denied
capture-acknowledged = Detention acknowledged

whereabouts-unknown = Not known
whereabouts-undisclosed = Place of detention undisclosed
whereabouts-disclosed = Place of detention disclosed

contact-unknown = Not known
contact-denied = Denied
contact-permitted = Permitted

## A yes/no fact that may not be known

flag-unknown = Not known
flag-no = No
flag-yes = Yes

## Reliability of information

reliability-unassessed = Not assessed
reliability-confirmed = Confirmed
reliability-probable = Probably true
reliability-possible = Possibly true
reliability-doubtful = Doubtful

## Kinds of source

source-relative = Relative
source-released_detainee = Released detainee
source-official_document = Official document
source-open_source = Open sources
source-icrc_confirmation = ICRC confirmation
source-other = Other source

## Interventions

addressee-icrc = International Committee of the Red Cross (ICRC)
addressee-un_wgeid = UN Working Group on Enforced or Involuntary Disappearances
addressee-ombudsman = Ombudsman (Parliament Commissioner for Human Rights)
addressee-coordination_headquarters = Coordination Headquarters for the Treatment of Prisoners of War
addressee-foreign_ministry = Ministry of foreign affairs
addressee-other = Other addressee

intervention-planned = Planned
intervention-sent = Sent
intervention-answered = Answered
intervention-closed = Closed

## Record management

review-draft = Draft
review-verified = Verified

confidentiality-standard = Standard
confidentiality-confidential = Confidential
confidentiality-strictly_confidential = Strictly confidential

## Priority

tier-critical = Critical
tier-high = High
tier-elevated = Elevated
tier-standard = Standard
tier-not_held = No longer held

reason-child = Child under 18
reason-child-explain = Children are entitled to special protection and are to be released and reunited with their families first.
reason-deported_child = Deported or forcibly transferred child
reason-deported_child-explain = A child taken away from home and family must be returned, and every month away makes tracing and reunion harder.
reason-pregnant = Pregnant
reason-pregnant-explain = Detention endangers the health of both the woman and the unborn child, and she is among those whose release the law calls for first.
reason-mother_of_infant = Mother of an infant
reason-mother_of_infant-explain = Separation harms the infant, and mothers of young children are among those whose release the law calls for first.
reason-serious_illness = Seriously ill
reason-serious_illness-explain = Without proper medical care in detention, a serious illness can become life-threatening.
reason-wounded = Wounded
reason-wounded-explain = Wounds are often left untreated in detention and can lead to lasting harm or death.
reason-disability = Has a disability
reason-disability-explain = A person with a disability suffers more from the lack of care and accessible conditions in detention and is more exposed to ill-treatment.
reason-older_person = Aged 60 or over
reason-older_person-explain = Older people are more likely to have health conditions that detention makes worse.
reason-detained_before_full_scale_invasion = Held since before 24 February 2022
reason-detained_before_full_scale_invasion-explain = People seized before the full-scale invasion have been held the longest and were left out of most exchanges.
reason-incommunicado = Held incommunicado
reason-incommunicado-explain = With the detention denied or the place kept secret, the person is outside the protection of the law and at the greatest risk of torture and death.
reason-long_detention = Held for 1 year or more
reason-long_detention-explain = Long captivity wears down physical and mental health, and the law calls for the release of those held for a long time.
reason-very_long_detention = Held for 3 years or more
reason-very_long_detention-explain = Three years or more in detention add further harm to an already long captivity.
reason-woman = Woman
reason-woman-explain = Women in detention face particular risks, including sexual violence, and are on the campaign's list of the most vulnerable.
reason-age_unknown = Age not known
reason-age_unknown-explain = No date of birth, and no approximate age with the date it was estimated on, is recorded, so it is not known whether the person is a child or an older person.
reason-health_unknown = Health not known
reason-health_unknown-explain = Nothing is recorded about illness, wounds, disability or pregnancy, so a reason for urgent release may be missed.
reason-whereabouts_unknown = Whereabouts not known
reason-whereabouts_unknown-explain = It is not known where the person is held, so nobody can be asked about them or visit them.
reason-detention_date_unknown = Date of detention not known
reason-detention_date_unknown-explain = Without the date the person was seized, the length of the detention cannot be counted.

basis-campaign_list = The campaign's list of the most vulnerable groups
basis-gc3_arts_109_110 = Repatriation of seriously wounded and sick prisoners of war and of those held in captivity for a long time (Third Geneva Convention)
basis-gc4_art_132 = Release of children, pregnant women, mothers of young children, the wounded and sick, and people interned for a long time (Fourth Geneva Convention)
basis-child_rights = Special protection of children (Convention on the Rights of the Child, Additional Protocol I)
basis-enforced_disappearance = Protection from enforced disappearance (UN Working Group)
basis-record_keeping = The detaining power's duty to record and pass on information about every person it holds

certainty-certain = Certain
certainty-possible = Possible (the date is not exact)

## Validation, said of the field it is shown next to

invalid-required = Fill in this field.
invalid-too_long = This text is too long; shorten it.
invalid-date_in_future = This date is in the future.
invalid-birth_after_detention = The date of birth is after the person was detained.
invalid-birth_after_transfer = The date of birth is after the child was transferred.
invalid-child_is_adult = By this date of birth the person was already 18 when transferred, but the category is deported child.
invalid-pregnancy_for_male = Pregnancy is marked for a person recorded as male.
invalid-age_out_of_range = Enter an age between 0 and 120.
invalid-age_without_date = Enter the date the age was estimated on.
invalid-not_a_sha256 = This is not a SHA-256 hash (64 hexadecimal digits).
invalid-not_a_country_code = Enter a two-letter country code, such as UA.
invalid-facility_before_seizure = This date is before the person was seized.
invalid-timeline_rewritten = Recorded status events cannot be changed or removed; add a new event instead.

## Fields, by name (field-<name>) or, where a name means different
## things in different groups, by group and name (field-<group>-<name>)

field-identity = Identity
field-category = Category
field-pow = Prisoner of war details
field-child = Child details
field-political = Political prisoner details
field-detention = Deprivation of liberty
field-health = Health and vulnerability
field-timeline = Status timeline
field-family = Family and contacts
field-sources = Sources
field-interventions = Interventions
field-review = Review
field-confidentiality = Confidentiality
field-notes = Notes
field-facilities = Places of detention
field-consent = Consent to share
field-aliases = Other names and aliases
field-documents = Identity documents
field-citizenships = Citizenship
field-attachments = Attachments

field-id = Item identifier
field-name = Name
field-kind = Type
field-date = Date
field-status = Status
field-number = Number

field-surname = Surname
field-given_names = Given names
field-patronymic = Patronymic or father's name
field-mother_name = Mother's full name
field-mother_maiden_name = Mother's maiden name
field-sex = Sex
field-birth_date = Date of birth
field-approx_age = Approximate age
field-approx_age_on = Date the age was estimated on
field-place_of_birth = Place of birth
field-residence_oblast = Oblast of residence
field-residence_hromada = Hromada of residence
field-residence_settlement = Settlement of residence
field-distinguishing_marks = Distinguishing marks
field-photo_sha256 = Photo

field-aliases-name = Other name
field-documents-kind = Document type
field-documents-number = Document number

field-rank = Military rank
field-unit = Military unit
field-service_number = Service number
field-pow-rank = Military rank
field-pow-unit = Military unit

field-guardian = Parent or guardian
field-transfer_date = Date of deportation or transfer
field-transfer_place = Place of deportation or transfer
field-known_location = Known location

field-article = Criminal code article(s)
field-court = Court
field-case_number = Criminal case number
field-sentence = Sentence

field-seized_on = Date seized
field-place_seized = Place seized
field-authority = Detaining authority
field-legal_status = Legal status
field-capture = Acknowledgement of detention
field-whereabouts = Whereabouts
field-family_contact = Contact with family
field-lawyer_contact = Access to a lawyer
field-icrc_contact = Access for the ICRC

field-facilities-name = Place of detention
field-admitted_on = Date admitted
field-transferred_on = Date transferred out

field-serious_illness = Serious illness
field-wounded = Wounds
field-disability = Disability
field-pregnant = Pregnancy
field-mother_of_infant = Mother of an infant
field-flag = Applies
field-noted_on = Date noted
field-note = Note

field-timeline-date = Date of event
field-timeline-status = Status
field-source = Source
field-reliability = Reliability
field-recorded_by = Recorded by (device)
field-recorded_at_ms = Recorded at

field-family-name = Name of family member
field-relation = Relationship
field-contact = Contact details
field-to_inform = Person to be informed
field-last_contact = Last contact

field-icrc = Share with the ICRC
field-un_wgeid = Share with the UN Working Group on Enforced Disappearances
field-negotiators = Share with negotiators
field-public_campaign = Use in public campaigns

field-sources-kind = Type of source
field-sources-date = Date of information
field-confidential = Confidential source
field-description = Description

field-addressee = Addressee
field-interventions-date = Date of intervention
field-interventions-status = Status of intervention
field-response = Response
field-in_release_list = Included in release lists
