from corridor.cli import app

app(prog_name="corridor")
