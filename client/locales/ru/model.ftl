# model — словарь модели дела, который client/src/labels.rs ищет по
# постоянным ключам из shared (case.rs, priority.rs, case_validation.rs).

## Категория: почему человека документируют

category-civilian_detainee = Гражданский заложник / задержанный
category-prisoner_of_war = Военнопленный
category-political_prisoner = Политзаключённый
category-deported_child = Депортированный или принудительно перемещённый ребёнок
category-missing = Лицо, пропавшее без вести

## Статус в хронологии

status-missing = Пропал(а) без вести
status-detained_unacknowledged = Удерживается, не признано
status-detained_acknowledged = Удерживается, признано
status-charged = Предъявлено обвинение
status-sentenced = Вынесен приговор
status-released = Освобождён(а)
status-exchanged = Обменян(а)
status-returned_home = Возвращён(а) домой
status-deceased = Умер(ла)
status-escaped = Совершил(а) побег

## Пол

sex-unknown = Неизвестно
sex-female = Женский
sex-male = Мужской

## Документы, удостоверяющие личность

document-passport = Заграничный паспорт
document-internal_passport = Внутренний паспорт
document-id_card = ID-карта
document-birth_certificate = Свидетельство о рождении
document-military_id = Военный билет
document-tax_number = Налоговый номер (ИНН, РНУКПН)
document-other = Другой документ

## Ступени: признание удержания, место, связь

capture-unknown = Неизвестно
capture-denied = Удержание отрицают
capture-acknowledged = Удержание признано

whereabouts-unknown = Неизвестно
whereabouts-undisclosed = Место содержания не раскрыто
whereabouts-disclosed = Место содержания раскрыто

contact-unknown = Неизвестно
contact-denied = Не допускается
contact-permitted = Допускается

## Факт «да/нет», который может быть неизвестен

flag-unknown = Неизвестно
flag-no = Нет
flag-yes = Да

## Достоверность информации

reliability-unassessed = Не оценено
reliability-confirmed = Подтверждено
reliability-probable = Вероятно
reliability-possible = Возможно
reliability-doubtful = Сомнительно

## Типы источников

source-relative = Родственник
source-released_detainee = Освобождённое лицо
source-official_document = Официальный документ
source-open_source = Открытые источники
source-icrc_confirmation = Подтверждение МККК
source-other = Другой источник

## Обращения

addressee-icrc = Международный комитет Красного Креста (МККК)
addressee-un_wgeid = Рабочая группа ООН по насильственным или недобровольным исчезновениям
addressee-ombudsman = Уполномоченный Верховной Рады Украины по правам человека
addressee-coordination_headquarters = Координационный штаб по вопросам обращения с военнопленными
addressee-foreign_ministry = Министерство иностранных дел
addressee-other = Другой адресат

intervention-planned = Запланировано
intervention-sent = Отправлено
intervention-answered = Получен ответ
intervention-closed = Закрыто

## Ведение дела

review-draft = Черновик
review-verified = Проверено

confidentiality-standard = Обычный доступ
confidentiality-confidential = Конфиденциально
confidentiality-strictly_confidential = Строго конфиденциально

## Приоритет

tier-critical = Критический
tier-high = Высокий
tier-elevated = Повышенный
tier-standard = Обычный
tier-not_held = Больше не удерживается

reason-child = Ребёнок до 18 лет
reason-child-explain = Дети имеют право на особую защиту, поэтому их следует освобождать и возвращать в семьи в первую очередь.
reason-deported_child = Депортированный или принудительно перемещённый ребёнок
reason-deported_child-explain = Ребёнка, увезённого из дома и от семьи, нужно вернуть, и каждый месяц разлуки затрудняет поиск и воссоединение.
reason-pregnant = Беременная
reason-pregnant-explain = Удержание угрожает здоровью женщины и будущего ребёнка, и право требует освобождать беременных женщин в первую очередь.
reason-mother_of_infant = Мать младенца
reason-mother_of_infant-explain = Разлука вредит младенцу, и право требует в первую очередь освобождать матерей малолетних детей.
reason-serious_illness = Тяжело больное лицо
reason-serious_illness-explain = Без надлежащей медицинской помощи в местах удержания тяжёлая болезнь может стать опасной для жизни.
reason-wounded = Раненое лицо
reason-wounded-explain = В местах удержания ранения часто не лечат, что может привести к тяжёлым последствиям или смерти.
reason-disability = Лицо с инвалидностью
reason-disability-explain = Человек с инвалидностью больше страдает от нехватки ухода и доступных условий в местах удержания и уязвимее для жестокого обращения.
reason-older_person = Возраст 60 лет и старше
reason-older_person-explain = У пожилых людей чаще есть болезни, которые удержание обостряет.
reason-detained_before_full_scale_invasion = Удерживается с периода до 24 февраля 2022 года
reason-detained_before_full_scale_invasion-explain = Людей, задержанных до полномасштабного вторжения, удерживают дольше всех, и большинство обменов их не коснулись.
reason-incommunicado = Удерживается без связи с внешним миром
reason-incommunicado-explain = Когда удержание отрицают или место скрывают, человек оказывается вне защиты закона и больше всего рискует подвергнуться пыткам или погибнуть.
reason-long_detention = Удерживается год и дольше
reason-long_detention-explain = Длительный плен подрывает физическое и психическое здоровье, и право требует освобождать тех, кого удерживают долго.
reason-very_long_detention = Удерживается три года и дольше
reason-very_long_detention-explain = Три и более года удержания добавляют вреда и без того длительному плену.
reason-woman = Женщина
reason-woman-explain = Женщины в местах удержания сталкиваются с особыми рисками, в том числе сексуальным насилием, и входят в список наиболее уязвимых, составленный кампанией.
reason-age_unknown = Возраст неизвестен
reason-age_unknown-explain = Не записаны ни дата рождения, ни примерный возраст с датой оценки, поэтому неизвестно, ребёнок это или пожилой человек.
reason-health_unknown = Состояние здоровья неизвестно
reason-health_unknown-explain = Ничего не записано о болезнях, ранениях, инвалидности или беременности, поэтому основание для срочного освобождения можно упустить.
reason-whereabouts_unknown = Местонахождение неизвестно
reason-whereabouts_unknown-explain = Неизвестно, где удерживают человека, поэтому нельзя ни запросить о нём сведения, ни посетить его.
reason-detention_date_unknown = Дата задержания неизвестна
reason-detention_date_unknown-explain = Без даты задержания невозможно посчитать, как долго длится лишение свободы.

basis-campaign_list = Список наиболее уязвимых групп, составленный кампанией
basis-gc3_arts_109_110 = Репатриация тяжелораненых и тяжелобольных военнопленных и тех, кто долго находится в плену (Третья Женевская конвенция)
basis-gc4_art_132 = Освобождение детей, беременных женщин, матерей малолетних детей, раненых и больных, а также долго интернированных лиц (Четвёртая Женевская конвенция)
basis-child_rights = Особая защита детей (Конвенция ООН о правах ребёнка, Дополнительный протокол I)
basis-enforced_disappearance = Защита от насильственных исчезновений (Рабочая группа ООН)
basis-record_keeping = Обязанность удерживающей стороны регистрировать каждого человека и передавать сведения о нём

certainty-certain = Достоверно
certainty-possible = Возможно (дата неточная)

## Проверка данных: сообщения рядом с соответствующим полем

invalid-required = Заполните это поле.
invalid-too_long = Текст слишком длинный — сократите его.
invalid-date_in_future = Эта дата ещё не наступила.
invalid-birth_after_detention = Дата рождения позже даты задержания.
invalid-birth_after_transfer = Дата рождения позже даты перемещения ребёнка.
invalid-child_is_adult = По этой дате рождения ко времени перемещения человеку уже исполнилось 18 лет, а категория — депортированный ребёнок.
invalid-pregnancy_for_male = Беременность отмечена у лица мужского пола.
invalid-age_out_of_range = Укажите возраст от 0 до 120.
invalid-age_without_date = Укажите дату, на которую оценён возраст.
invalid-not_a_sha256 = Это не хеш SHA-256 (64 шестнадцатеричные цифры).
invalid-not_a_country_code = Укажите двухбуквенный код страны, например UA.
invalid-facility_before_seizure = Эта дата раньше даты задержания.
invalid-timeline_rewritten = Записанные события статуса нельзя изменять или удалять — добавьте новое событие.

## Поля: по названию (field-<название>) или, если название в разных
## группах значит разное, по группе и названию (field-<группа>-<название>)

field-identity = Личность
field-category = Категория
field-pow = Данные военнопленного
field-child = Данные о ребёнке
field-political = Данные политзаключённого
field-detention = Лишение свободы
field-health = Здоровье и уязвимость
field-timeline = Хронология статусов
field-family = Семья и контакты
field-sources = Источники
field-interventions = Обращения
field-review = Проверка
field-confidentiality = Конфиденциальность
field-notes = Заметки
field-facilities = Места содержания
field-consent = Согласие на передачу данных
field-aliases = Другие имена и псевдонимы
field-documents = Документы, удостоверяющие личность
field-citizenships = Гражданство
field-attachments = Вложения

field-id = Идентификатор записи
field-name = Имя
field-kind = Тип
field-date = Дата
field-status = Статус
field-number = Номер

field-surname = Фамилия
field-given_names = Имя
field-patronymic = Отчество или имя отца
field-mother_name = Полное имя матери
field-mother_maiden_name = Девичья фамилия матери
field-sex = Пол
field-birth_date = Дата рождения
field-approx_age = Примерный возраст
field-approx_age_on = Дата, на которую оценён возраст
field-place_of_birth = Место рождения
field-residence_oblast = Область проживания
field-residence_hromada = Громада проживания
field-residence_settlement = Населённый пункт проживания
field-distinguishing_marks = Особые приметы
field-photo_sha256 = Фото

field-aliases-name = Другое имя
field-documents-kind = Тип документа
field-documents-number = Номер документа

field-rank = Воинское звание
field-unit = Воинская часть
field-service_number = Личный номер
field-pow-rank = Воинское звание
field-pow-unit = Воинская часть

field-guardian = Родители или законный представитель
field-transfer_date = Дата депортации или перемещения
field-transfer_place = Место депортации или перемещения
field-known_location = Известное местонахождение

field-article = Статья (статьи) уголовного кодекса
field-court = Суд
field-case_number = Номер уголовного дела
field-sentence = Приговор

field-seized_on = Дата задержания
field-place_seized = Место задержания
field-authority = Кто задержал
field-legal_status = Правовой статус
field-capture = Признание факта удержания
field-whereabouts = Местонахождение
field-family_contact = Связь с семьёй
field-lawyer_contact = Доступ к адвокату
field-icrc_contact = Доступ МККК

field-facilities-name = Место содержания
field-admitted_on = Дата помещения
field-transferred_on = Дата перевода

field-serious_illness = Тяжёлая болезнь
field-wounded = Ранения
field-disability = Инвалидность
field-pregnant = Беременность
field-mother_of_infant = Мать младенца
field-flag = Наличие
field-noted_on = Дата сведений
field-note = Примечание

field-timeline-date = Дата события
field-timeline-status = Статус
field-source = Источник
field-reliability = Достоверность
field-recorded_by = Кем записано (устройство)
field-recorded_at_ms = Время записи

field-family-name = Имя члена семьи
field-relation = Степень родства
field-contact = Контактные данные
field-to_inform = Лицо, которое следует информировать
field-last_contact = Последний контакт

field-icrc = Передавать МККК
field-un_wgeid = Передавать Рабочей группе ООН по насильственным исчезновениям
field-negotiators = Передавать переговорщикам
field-public_campaign = Использовать в публичных кампаниях

field-sources-kind = Тип источника
field-sources-date = Дата информации
field-confidential = Конфиденциальный источник
field-description = Описание

field-addressee = Адресат
field-interventions-date = Дата обращения
field-interventions-status = Состояние обращения
field-response = Ответ
field-in_release_list = Включено в списки на освобождение
