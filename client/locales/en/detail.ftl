# detail — en
