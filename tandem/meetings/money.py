"""The money maths of a claim: Decimal throughout, rounded to pence once, at the end.

A claim is paid as (session hours + travel hours) * hourly rate + miles * mileage rate
+ expenses. Hours default from the session's minutes, rounded to the hundredth of an
hour (the precision the claim stores). Nothing here ever passes through a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
HUNDREDTH = Decimal("0.01")
ZERO = Decimal("0.00")


def pounds(value: Decimal) -> Decimal:
    """``value`` rounded to the penny, halves away from zero (as finance expects)."""
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def hours_from_minutes(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Amount:
    hours_pay: Decimal
    mileage_pay: Decimal
    expenses: Decimal

    @property
    def total(self) -> Decimal:
        return pounds(self.hours_pay + self.mileage_pay + self.expenses)


def claim_amount(
    *,
    session_hours: Decimal,
    travel_hours: Decimal,
    miles: Decimal,
    expenses: Decimal,
    hourly_rate: Decimal,
    mileage_rate: Decimal,
) -> Amount:
    """Each part rounded to the penny, and the total the sum of the rounded parts, so
    that the parts shown always add up to the total shown."""
    return Amount(
        hours_pay=pounds((Decimal(session_hours) + Decimal(travel_hours)) * Decimal(hourly_rate)),
        mileage_pay=pounds(Decimal(miles) * Decimal(mileage_rate)),
        expenses=pounds(Decimal(expenses)),
    )


def money(value: Decimal) -> str:
    """£1,234.50"""
    return f"£{pounds(value):,.2f}"
