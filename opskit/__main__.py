from opskit.cli import main

main()
