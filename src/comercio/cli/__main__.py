from comercio.cli import main

main()
