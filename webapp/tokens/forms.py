"""The launch application form."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.services import token_images
from webapp.services.launches import LINK_KINDS, LaunchDraft


class LaunchForm(FlaskForm):
    name = StringField("Token name", validators=[InputRequired(message="Give the token a name."), Length(max=64)])
    symbol = StringField("Symbol", validators=[InputRequired(message="Give the token a symbol."), Length(max=10)])
    tier = RadioField("Tier", choices=[SelectChoice("wild_fires", "Wild Fires — bonding curve"),
                                       SelectChoice("stable_grounds", "Stable Grounds — team vesting in escrow")],
                      validators=[InputRequired(message="Choose a tier.")])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    image = FileField("Token image (PNG, JPEG, WebP or GIF, up to 2 MB)")
    x = StringField("X", validators=[Optional(), Length(max=200)])
    website = StringField("Website", validators=[Optional(), Length(max=200)])
    telegram = StringField("Telegram", validators=[Optional(), Length(max=200)])
    discord = StringField("Discord", validators=[Optional(), Length(max=200)])
    team_percent = StringField("Team allocation (% of supply)", validators=[Optional(), Length(max=8)])
    team_wallets = TextAreaField("Team wallets (one per line: address and share in %, 100% in all)",
                                 validators=[Optional(), Length(max=2000)])
    cliff_days = IntegerField("Cliff (days)", validators=[Optional(), NumberRange(min=0, max=3650)], default=90)
    vesting_days = IntegerField("Vesting duration (days)", validators=[Optional(), NumberRange(min=0, max=3650)],
                                default=365)
    unlock_period_days = IntegerField("Unlock every (days)", validators=[Optional(), NumberRange(min=0, max=3650)],
                                      default=30)

    def draft(self) -> tuple[LaunchDraft, list[str]]:
        """The form as a draft for the service, plus problems only the form can see."""
        problems: list[str] = []
        bps = 0
        wallets: list[tuple[str, int]] = []
        if self.tier.data == "stable_grounds":
            bps = _percent_to_bps(self.team_percent.data or "", problems)
            wallets = _team_wallets(self.team_wallets.data or "", problems)
        draft = LaunchDraft(
            name=(self.name.data or "").strip(), symbol=(self.symbol.data or "").strip().upper(),
            tier=self.tier.data or "", description=self.description.data or "", image=self._image(problems),
            links={kind: (getattr(self, kind).data or "").strip() for kind in LINK_KINDS},
            team_allocation_bps=bps, team_wallets=wallets, cliff_days=self.cliff_days.data or 0,
            vesting_days=self.vesting_days.data or 0, unlock_period_days=self.unlock_period_days.data or 0,
        )
        return draft, problems

    def _image(self, problems: list[str]) -> token_images.PreparedImage | None:
        """The uploaded picture, checked and re-encoded; None when no file was chosen."""
        upload = self.image.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        data = upload.stream.read(token_images.MAX_UPLOAD_BYTES + 1)  # one byte over is enough to refuse it
        try:
            return token_images.prepare(data)
        except token_images.ImageRejected as error:
            problems.append(f"{error} Choose the image again after fixing it.")
            return None


def _percent_to_bps(text: str, problems: list[str]) -> int:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        problems.append("The team allocation is a percentage, like 15 or 12.5.")
        return 0
    bps = value * 100
    if bps != bps.to_integral_value():
        problems.append("The team allocation takes at most two decimals.")
        return 0
    return int(bps)


def _team_wallets(text: str, problems: list[str]) -> list[tuple[str, int]]:
    wallets = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        share = parts[1].removesuffix("%") if len(parts) == 2 else ""
        if not share.isdigit():
            problems.append(f"Team wallets line {number}: write the address, a space, then a whole-number share in %.")
            continue
        wallets.append((parts[0], int(share)))
    return wallets
