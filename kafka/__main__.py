from kafka.cli import entry

entry()
