# detail — ru
# Экран дела.

detail-loading = Открываем дело…
detail-not-on-device = Этого дела нет на этом устройстве. Возможно, оно придёт со следующей синхронизацией.
detail-load-failed = Не удалось открыть дело.
detail-no-name = (без имени)
detail-no-status = Статус не записан
detail-current-status = Текущий статус
detail-pending = { $n ->
    [one] { $n } изменение ждёт отправки
    [few] { $n } изменения ждут отправки
   *[many] { $n } изменений ждут отправки
}
detail-conflicts-badge = { $n ->
    [one] { $n } конфликт значений
    [few] { $n } конфликта значений
   *[many] { $n } конфликтов значений
}
detail-this-device = это устройство
detail-unknown-device = неизвестное устройство
detail-save-failed = Не сохранено.
detail-save-invalid = Не сохранено: исправьте, пожалуйста, следующее.
detail-field-problem = { $field }: { $problem }

## Конфликтующие значения

detail-conflicts-title = { $n ->
    [one] { $n } поле имеет конфликтующие значения
    [few] { $n } поля имеют конфликтующие значения
   *[many] { $n } полей имеют конфликтующие значения
}
detail-conflicts-help = Два устройства изменили эти поля одновременно. Для каждого поля выберите значение, которое нужно оставить.
detail-conflicts-help-viewer = Два устройства изменили эти поля одновременно. Выбрать, какое значение оставить, может участник с правом редактировать дела.
detail-conflict-empty = (пусто)
detail-conflict-written-by = Кто записал: { $who }
detail-conflict-keep = Оставить это значение
detail-conflict-kept = Значение оставлено: { $field }.

## Приоритет

detail-priority-title = Приоритет
detail-priority-score = Баллы: { $score }
detail-priority-no-reasons = Уязвимостей не записано.
detail-priority-gaps = Ещё неизвестно — стоит задокументировать

## Хронология статусов

detail-timeline-title = Хронология статусов
detail-proof-of-life-none = Ни одного подтверждения, что человек жив, не записано.
detail-proof-of-life-days = { $n ->
    [one] { $n } день с последнего подтверждения, что человек жив
    [few] { $n } дня с последнего подтверждения, что человек жив
   *[many] { $n } дней с последнего подтверждения, что человек жив
}
detail-proof-of-life-at-least = { $n ->
    [one] Как минимум { $n } день с последнего подтверждения, что человек жив
    [few] Как минимум { $n } дня с последнего подтверждения, что человек жив
   *[many] Как минимум { $n } дней с последнего подтверждения, что человек жив
}
detail-proof-of-life-date = Последнее подтверждение: { $date }
detail-event-undated = Дата неизвестна
detail-event-source = Источник
detail-event-reliability = Достоверность
detail-event-recorded = Записано: { $who }, { $when }
detail-event-recorded-by = Записано: { $who }
detail-add-status = Добавить изменение статуса
detail-status-new-status = Новый статус
detail-status-new-date = Дата
detail-status-date-hint = Год, месяц или полная дата: 2022, 2022-03 или 2022-03-14. Если дата неизвестна, оставьте поле пустым.
detail-status-date-invalid = Введите дату в виде 2022, 2022-03 или 2022-03-14.
detail-status-new-source = Источник сведений
detail-status-new-reliability = Достоверность
detail-status-save = Добавить
detail-status-saved = Изменение статуса добавлено.

## Разделы

detail-section-identity = Личность
detail-section-category = Сведения по категории
detail-section-detention = Лишение свободы
detail-section-health = Здоровье и уязвимость
detail-section-family = Семья и согласие
detail-section-sources = Источники
detail-section-interventions = Обращения
detail-section-notes = Заметки
detail-none-recorded = Ничего не записано.
detail-not-recorded = не записано
detail-hidden = скрыто
detail-show-sensitive = Показать конфиденциальные данные
detail-hide-sensitive = Скрыть конфиденциальные данные
detail-approx-age = { $age ->
    [one] Примерно { $age } год
    [few] Примерно { $age } года
   *[many] Примерно { $age } лет
}
detail-approx-age-on = { $age ->
    [one] Примерно { $age } год (по состоянию на { $date })
    [few] Примерно { $age } года (по состоянию на { $date })
   *[many] Примерно { $age } лет (по состоянию на { $date })
}
detail-episode = Эпизод { $n }
detail-whereabouts-ladder = Местонахождение и связь
detail-facility-admitted = поступление: { $date }
detail-facility-transferred = перевод: { $date }
detail-health-noted = отмечено { $date }
detail-to-inform = Контакт для новостей
detail-consent = Согласие на передачу сведений
detail-consent-granted = есть согласие
detail-consent-not-granted = нет согласия
detail-source-confidential = Конфиденциальный
detail-attachments = { $n ->
    [one] { $n } вложение
    [few] { $n } вложения
   *[many] { $n } вложений
}
detail-in-release-list = В списке на освобождение

## История изменений

detail-history-title = История изменений
detail-history-empty = Изменений не записано.
detail-history-no-fields = Поля не изменены.
detail-history-more-fields = и ещё { $n }
detail-history-show-all = Показать все изменения ({ $n })
detail-history-show-recent = Показать только последние изменения
