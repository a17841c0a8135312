# form — en
