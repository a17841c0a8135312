# list — en
