print("labrun")
