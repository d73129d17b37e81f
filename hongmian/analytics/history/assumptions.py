"""What a Guangzhou 12345 history looks like, as the figures the generator samples from.

Every figure here is a modelling assumption written for this project (no real orders are
read): district weights by resident population (seventh census, 2020, in 10,000s), the channel
shift to WeChat and mini-programs, the request-type mixes, seasonal shapes, hourly and weekly
cycles, the holiday calendar, surges and emergency episodes, handling times and callback
satisfaction. The category taxonomy lives in `taxonomy`; `profiles.build_profile` turns both
into arrays (and re-exports these names, which the generator reads as `profiles.X`).
"""

from __future__ import annotations

import datetime as dt

# Resident population by district, 10,000s (seventh national census, 2020).
DISTRICT_POPULATION = {
    "440103": 112.4,  # 荔湾区
    "440104": 103.9,  # 越秀区
    "440105": 181.9,  # 海珠区
    "440106": 224.2,  # 天河区
    "440111": 374.3,  # 白云区
    "440112": 126.4,  # 黄埔区
    "440113": 265.9,  # 番禺区
    "440114": 164.2,  # 花都区
    "440115": 84.7,  # 南沙区
    "440117": 71.7,  # 从化区
    "440118": 146.6,  # 增城区
}
# Share of orders whose address names no district (free text the parser could not place).
NO_DISTRICT_SHARE = 0.03

CHANNELS = (
    "phone",
    "web",
    "wechat",
    "app",
    "mini_program",
    "sms",
    "email",
    "letter",
    "transfer",
    "open311",
)
# Channel mix in 2021 and in 2026; years between are interpolated, later years keep 2026's.
# The phone's share falls as WeChat, the mini-program and the app take over.
CHANNEL_MIX_2021 = (0.68, 0.08, 0.12, 0.04, 0.03, 0.015, 0.006, 0.004, 0.025, 0.0)
CHANNEL_MIX_2026 = (0.52, 0.05, 0.18, 0.07, 0.10, 0.008, 0.004, 0.002, 0.051, 0.015)

REQUEST_TYPES = ("inquiry", "help", "complaint", "report", "suggestion", "praise")
# Mix of request types for a category, by the category's character.
TYPE_MIXES = {
    "inquiry": (0.80, 0.08, 0.07, 0.01, 0.03, 0.01),
    "complaint": (0.10, 0.12, 0.62, 0.12, 0.03, 0.01),
    "help": (0.20, 0.50, 0.24, 0.02, 0.03, 0.01),
    "report": (0.05, 0.05, 0.35, 0.52, 0.02, 0.01),
    "mixed": (0.45, 0.15, 0.28, 0.04, 0.06, 0.02),
}
# Chance that the agent answers on the spot (直接答复), by request type; an inquiry's chance is
# scaled by the category's `answerable` factor (how well the knowledge base covers it).
DIRECT_ANSWER_BY_TYPE = (0.88, 0.06, 0.01, 0.0, 0.08, 0.55)

# Multipliers by calendar month (Jan … Dec).
SEASONS = {
    "flat": (1.0,) * 12,
    # Air-conditioning months: outages, water pressure, bills; windows open, so noise.
    "summer": (0.75, 0.7, 0.8, 0.9, 1.1, 1.4, 1.65, 1.6, 1.3, 1.0, 0.85, 0.8),
    # Unpaid wages peak before the Spring Festival.
    "wages": (1.7, 1.3, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.3, 1.9),
    # School places: applications in spring, results and placements in summer.
    "school": (0.7, 0.8, 1.0, 1.2, 1.5, 1.7, 1.6, 1.5, 1.2, 0.8, 0.7, 0.7),
    # Dragon-boat rains and typhoons: flooding and fallen trees.
    "rain": (0.5, 0.5, 0.7, 1.0, 1.6, 1.9, 1.6, 1.7, 1.3, 0.8, 0.6, 0.5),
    # Gas and heating questions in the cool months; the annual tax settlement in spring.
    "winter": (1.4, 1.3, 1.1, 0.9, 0.8, 0.7, 0.7, 0.7, 0.8, 0.9, 1.1, 1.4),
    "tax": (0.9, 0.9, 1.5, 1.4, 1.2, 1.3, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0),
}

# Weekday factors (Monday … Sunday) and hour-of-day shapes for working days and weekends.
WEEKDAY_FACTORS = (1.12, 1.06, 1.02, 1.0, 0.96, 0.74, 0.68)
HOURS_WORKDAY = (
    *(0.4, 0.25, 0.15, 0.1, 0.1, 0.2, 0.6, 1.6, 4.0, 7.6, 8.4, 7.2),
    *(5.0, 5.2, 7.0, 7.4, 7.0, 5.6, 4.2, 3.6, 3.4, 3.0, 2.2, 1.0),
)
HOURS_WEEKEND = (
    *(0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.6, 1.4, 3.0, 5.2, 6.4, 6.4),
    *(5.4, 5.2, 5.8, 6.0, 5.8, 5.0, 4.4, 4.4, 4.4, 3.8, 2.8, 1.4),
)

# The first day of the Spring Festival (正月初一), the dip's centre; the dip runs from three
# days before to six after. National Day (1–7 October) dips less.
SPRING_FESTIVALS = {
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
SPRING_FESTIVAL_FACTOR = 0.45
NATIONAL_DAY_FACTOR = 0.7
# Volume grows year on year as more requests come to 12345 instead of department lines.
ANNUAL_GROWTH = 0.07

# A surge (a burst about one thing): 3× the normal volume of one category for a week, about
# twice a year; categories that burst are the ones with `surges=True`.
SURGE_FACTOR = 3.0
SURGE_DAYS = 7
SURGES_PER_YEAR = 2.0
# An emergency episode (三区-style tag): for a fortnight, this share of one district's orders
# carries the emergency tag; about once every two years. Outside episodes a trickle is tagged.
EMERGENCY_DAYS = 14
EMERGENCY_EPISODES_PER_YEAR = 0.5
EMERGENCY_SHARE_IN_EPISODE = 0.35
EMERGENCY_BACKGROUND_SHARE = 0.001

# Handling times, in hours after dispatch unless said otherwise.
DISPATCH_DELAY_MEDIAN_MIN = 25.0  # intake → dispatch, minutes (log-normal)
ACK_LIMIT_H = 24.0  # 签收 within one day (two office hours for emergencies)
ACK_LIMIT_EMERGENCY_H = 2.0
RESOLUTION_LIMIT_H = {  # by request type; emergencies 24 h
    "inquiry": 72.0,
    "help": 120.0,
    "complaint": 168.0,
    "report": 240.0,
    "suggestion": 240.0,
    "praise": 72.0,
}
RESOLUTION_LIMIT_EMERGENCY_H = 24.0
EXTENSION_H = 120.0  # an approved extension adds five days
CALLBACK_DELAY_MEDIAN_H = 30.0
CALLBACK_REACHED = 0.9  # the rest are closed as unreachable
REOPEN_OF_DISSATISFIED = 0.35
REOPEN_EXTRA_H = 96.0
ARCHIVE_AFTER_DAYS = 15

# Satisfaction answers of a reached callback: the satisfied share rises with a unit's quality.
SATISFIED_BASE, SATISFIED_PER_QUALITY = 0.50, 0.38
BASIC_SHARE_OF_REST = 0.55
