from kafka.cli import main

main()
