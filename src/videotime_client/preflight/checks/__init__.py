"""One module per check; each exposes ``async def run(ctx) -> CheckResult``."""
