from ropa.cli import main

main()
