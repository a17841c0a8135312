# sync — ru
