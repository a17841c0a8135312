# list — ru
