from sketchbook.launch import main

main()
