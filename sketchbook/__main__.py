from sketchbook.cli import app

app(prog_name="sketchbook")
