"""电话与短信渠道 — the hotline's phone and SMS channels: CTI events from any PBX adapter,
the agent's screen pop, the missed-call callback queue, inbound and outbound SMS."""
