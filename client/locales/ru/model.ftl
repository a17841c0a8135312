# model — ru
