# model — словник моделі справи, який client/src/labels.rs шукає за
# сталими ключами з shared (case.rs, priority.rs, case_validation.rs).

## Категорія: чому особу документують

category-civilian_detainee = Цивільний заручник / затриманий
category-prisoner_of_war = Військовополонений
category-political_prisoner = Політв’язень
category-deported_child = Депортована чи примусово переміщена дитина
category-missing = Особа, зникла безвісти

## Статус у хронології

status-missing = Зник(ла) безвісти
status-detained_unacknowledged = Утримується, не визнано
status-detained_acknowledged = Утримується, визнано
status-charged = Висунуто обвинувачення
status-sentenced = Винесено вирок
status-released = Звільнено
status-exchanged = Обміняно
status-returned_home = Повернуто додому
status-deceased = Помер(ла)
status-escaped = Здійснив(ла) втечу

## Стать

sex-unknown = Невідомо
sex-female = Жіноча
sex-male = Чоловіча

## Документи, що посвідчують особу

document-passport = Закордонний паспорт
document-internal_passport = Внутрішній паспорт
document-id_card = ID-картка
document-birth_certificate = Свідоцтво про народження
document-military_id = Військовий квиток
document-tax_number = Податковий номер (РНОКПП)
document-other = Інший документ

## Сходинки: визнання утримання, місце, зв’язок

capture-unknown = Невідомо
capture-denied = Утримання заперечують
capture-acknowledged = Утримання визнано

whereabouts-unknown = Невідомо
whereabouts-undisclosed = Місце утримання не розкрито
whereabouts-disclosed = Місце утримання розкрито

contact-unknown = Невідомо
contact-denied = Не допускається
contact-permitted = Допускається

## Факт «так/ні», який може бути невідомим

flag-unknown = Невідомо
flag-no = Ні
flag-yes = Так

## Достовірність інформації

reliability-unassessed = Не оцінено
reliability-confirmed = Підтверджено
reliability-probable = Імовірно
reliability-possible = Можливо
reliability-doubtful = Сумнівно

## Типи джерел

source-relative = Родич
source-released_detainee = Звільнена особа
source-official_document = Офіційний документ
source-open_source = Відкриті джерела
source-icrc_confirmation = Підтвердження МКЧХ
source-other = Інше джерело

## Звернення

addressee-icrc = Міжнародний комітет Червоного Хреста (МКЧХ)
addressee-un_wgeid = Робоча група ООН з питань насильницьких або недобровільних зникнень
addressee-ombudsman = Уповноважений Верховної Ради України з прав людини
addressee-coordination_headquarters = Координаційний штаб з питань поводження з військовополоненими
addressee-foreign_ministry = Міністерство закордонних справ
addressee-other = Інший адресат

intervention-planned = Заплановано
intervention-sent = Надіслано
intervention-answered = Отримано відповідь
intervention-closed = Закрито

## Ведення справи

review-draft = Чернетка
review-verified = Перевірено

confidentiality-standard = Звичайний доступ
confidentiality-confidential = Конфіденційно
confidentiality-strictly_confidential = Суворо конфіденційно

## Пріоритет

tier-critical = Критичний
tier-high = Високий
tier-elevated = Підвищений
tier-standard = Звичайний
tier-not_held = Більше не утримується

reason-child = Дитина до 18 років
reason-child-explain = Діти мають право на особливий захист, тож їх слід звільняти й повертати до родин насамперед.
reason-deported_child = Депортована чи примусово переміщена дитина
reason-deported_child-explain = Дитину, забрану з дому й від родини, треба повернути, і кожен місяць розлуки ускладнює пошук і возз’єднання.
reason-pregnant = Вагітна
reason-pregnant-explain = Утримання загрожує здоров’ю жінки та майбутньої дитини, і право вимагає звільняти вагітних жінок насамперед.
reason-mother_of_infant = Мати немовляти
reason-mother_of_infant-explain = Розлука шкодить немовляті, і право вимагає насамперед звільняти матерів малолітніх дітей.
reason-serious_illness = Тяжко хвора особа
reason-serious_illness-explain = Без належної медичної допомоги під час утримання тяжка хвороба може стати смертельно небезпечною.
reason-wounded = Поранена особа
reason-wounded-explain = Під час утримання поранення часто не лікують, що може призвести до тяжких наслідків або смерті.
reason-disability = Особа з інвалідністю
reason-disability-explain = Особа з інвалідністю більше страждає від браку догляду й безбар’єрних умов під час утримання і вразливіша до жорстокого поводження.
reason-older_person = Вік 60 років і більше
reason-older_person-explain = Літні люди частіше мають хвороби, які утримання загострює.
reason-detained_before_full_scale_invasion = Утримується з часу до 24 лютого 2022 року
reason-detained_before_full_scale_invasion-explain = Людей, затриманих до повномасштабного вторгнення, утримують найдовше, і більшість обмінів їх не охопили.
reason-incommunicado = Утримується без зв’язку із зовнішнім світом
reason-incommunicado-explain = Коли утримання заперечують або місце приховують, особа перебуває поза захистом закону і найбільше ризикує зазнати катувань чи загинути.
reason-long_detention = Утримується рік і довше
reason-long_detention-explain = Тривалий полон підриває фізичне й психічне здоров’я, і право вимагає звільняти тих, кого утримують довго.
reason-very_long_detention = Утримується три роки і довше
reason-very_long_detention-explain = Три й більше років утримання додають шкоди й без того тривалому полону.
reason-woman = Жінка
reason-woman-explain = Жінки під час утримання стикаються з особливими ризиками, зокрема сексуальним насильством, і входять до списку найвразливіших, визначеного кампанією.
reason-age_unknown = Вік невідомий
reason-age_unknown-explain = Не записано ні дати народження, ні приблизного віку з датою оцінки, тож невідомо, чи це дитина або літня людина.
reason-health_unknown = Стан здоров’я невідомий
reason-health_unknown-explain = Нічого не записано про хвороби, поранення, інвалідність чи вагітність, тож підставу для термінового звільнення можна пропустити.
reason-whereabouts_unknown = Місцеперебування невідоме
reason-whereabouts_unknown-explain = Невідомо, де утримують особу, тож неможливо запитати про неї чи відвідати її.
reason-detention_date_unknown = Дата затримання невідома
reason-detention_date_unknown-explain = Без дати затримання неможливо обчислити, як довго триває позбавлення волі.

basis-campaign_list = Список найвразливіших груп, визначений кампанією
basis-gc3_arts_109_110 = Репатріація тяжкопоранених і тяжкохворих військовополонених та тих, хто довго перебуває в полоні (Третя Женевська конвенція)
basis-gc4_art_132 = Звільнення дітей, вагітних жінок, матерів малолітніх дітей, поранених і хворих та довго інтернованих осіб (Четверта Женевська конвенція)
basis-child_rights = Особливий захист дітей (Конвенція ООН про права дитини, Додатковий протокол I)
basis-enforced_disappearance = Захист від насильницьких зникнень (Робоча група ООН)
basis-record_keeping = Обов’язок держави, що утримує, реєструвати кожну особу й передавати відомості про неї

certainty-certain = Достеменно
certainty-possible = Можливо (дата неточна)

## Перевірка даних: повідомлення біля відповідного поля

invalid-required = Заповніть це поле.
invalid-too_long = Текст задовгий — скоротіть його.
invalid-date_in_future = Ця дата ще не настала.
invalid-birth_after_detention = Дата народження пізніша за дату затримання.
invalid-birth_after_transfer = Дата народження пізніша за дату переміщення дитини.
invalid-child_is_adult = За цією датою народження на час переміщення особі вже виповнилося 18 років, а категорія — депортована дитина.
invalid-pregnancy_for_male = Вагітність позначено для особи чоловічої статі.
invalid-age_out_of_range = Вкажіть вік від 0 до 120.
invalid-age_without_date = Вкажіть дату, на яку оцінено вік.
invalid-not_a_sha256 = Це не хеш SHA-256 (64 шістнадцяткові цифри).
invalid-not_a_country_code = Вкажіть дволітерний код країни, наприклад UA.
invalid-facility_before_seizure = Ця дата раніша за дату затримання.
invalid-timeline_rewritten = Записані події статусу не можна змінювати чи видаляти — додайте нову подію.

## Поля: за назвою (field-<назва>) або, коли назва в різних групах
## означає різне, за групою й назвою (field-<група>-<назва>)

field-identity = Особа
field-category = Категорія
field-pow = Дані військовополоненого
field-child = Дані про дитину
field-political = Дані політв’язня
field-detention = Позбавлення волі
field-health = Здоров’я та вразливість
field-timeline = Хронологія статусів
field-family = Родина та контакти
field-sources = Джерела
field-interventions = Звернення
field-review = Перевірка
field-confidentiality = Конфіденційність
field-notes = Нотатки
field-facilities = Місця утримання
field-consent = Згода на передання даних
field-aliases = Інші імена та псевдоніми
field-documents = Документи, що посвідчують особу
field-citizenships = Громадянство
field-attachments = Вкладення

field-id = Ідентифікатор запису
field-name = Ім’я
field-kind = Тип
field-date = Дата
field-status = Статус
field-number = Номер

field-surname = Прізвище
field-given_names = Ім’я
field-patronymic = По батькові або ім’я батька
field-mother_name = Повне ім’я матері
field-mother_maiden_name = Дівоче прізвище матері
field-sex = Стать
field-birth_date = Дата народження
field-approx_age = Приблизний вік
field-approx_age_on = Дата, на яку оцінено вік
field-place_of_birth = Місце народження
field-residence_oblast = Область проживання
field-residence_hromada = Громада проживання
field-residence_settlement = Населений пункт проживання
field-distinguishing_marks = Особливі прикмети
field-photo_sha256 = Фото

field-aliases-name = Інше ім’я
field-documents-kind = Тип документа
field-documents-number = Номер документа

field-rank = Військове звання
field-unit = Військова частина
field-service_number = Особистий номер
field-pow-rank = Військове звання
field-pow-unit = Військова частина

field-guardian = Батьки або законний представник
field-transfer_date = Дата депортації чи переміщення
field-transfer_place = Місце депортації чи переміщення
field-known_location = Відоме місцеперебування

field-article = Стаття (статті) кримінального кодексу
field-court = Суд
field-case_number = Номер кримінальної справи
field-sentence = Вирок

field-seized_on = Дата затримання
field-place_seized = Місце затримання
field-authority = Хто затримав
field-legal_status = Правовий статус
field-capture = Визнання факту утримання
field-whereabouts = Місцеперебування
field-family_contact = Зв’язок із родиною
field-lawyer_contact = Доступ до адвоката
field-icrc_contact = Доступ МКЧХ

field-facilities-name = Місце утримання
field-admitted_on = Дата поміщення
field-transferred_on = Дата переведення

field-serious_illness = Тяжка хвороба
field-wounded = Поранення
field-disability = Інвалідність
field-pregnant = Вагітність
field-mother_of_infant = Мати немовляти
field-flag = Наявність
field-noted_on = Дата відомостей
field-note = Примітка

field-timeline-date = Дата події
field-timeline-status = Статус
field-source = Джерело
field-reliability = Достовірність
field-recorded_by = Ким записано (пристрій)
field-recorded_at_ms = Час запису

field-family-name = Ім’я члена родини
field-relation = Ступінь спорідненості
field-contact = Контактні дані
field-to_inform = Особа, яку слід інформувати
field-last_contact = Останній контакт

field-icrc = Передавати МКЧХ
field-un_wgeid = Передавати Робочій групі ООН з питань насильницьких зникнень
field-negotiators = Передавати переговірникам
field-public_campaign = Використовувати в публічних кампаніях

field-sources-kind = Тип джерела
field-sources-date = Дата інформації
field-confidential = Конфіденційне джерело
field-description = Опис

field-addressee = Адресат
field-interventions-date = Дата звернення
field-interventions-status = Стан звернення
field-response = Відповідь
field-in_release_list = Включено до списків на звільнення
